// Reads a text file line by line with a bound on line length, tracking the
// line number and byte offset that error messages cite.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "packtwin/base/status.h"

namespace packtwin {

class LineReader {
 public:
  static constexpr size_t kMaxLineBytes = 4096;

  static Result<std::unique_ptr<LineReader>> Open(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Next line without its '\n'; false at the end. A line over kMaxLineBytes is
  // an error (a binary or foreign file), never a silent truncation.
  Result<bool> Next(std::string_view* line);

  const std::string& path() const { return path_; }
  uint64_t line_number() const { return line_number_; }   // of the last line returned, 1-based
  uint64_t line_offset() const { return line_offset_; }   // its first byte in the file
  uint64_t bytes_consumed() const { return consumed_; }
  uint64_t file_size() const { return file_size_; }

 private:
  LineReader(std::FILE* file, std::string path, uint64_t size);
  bool Fill();

  std::FILE* file_;
  std::string path_;
  uint64_t file_size_;
  std::string buffer_;
  size_t begin_ = 0;  // unread data in buffer_[begin_, end_)
  size_t end_ = 0;
  bool eof_ = false;
  uint64_t line_number_ = 0;
  uint64_t line_offset_ = 0;
  uint64_t consumed_ = 0;
};

}  // namespace packtwin
