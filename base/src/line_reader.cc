#include "packtwin/base/line_reader.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace packtwin {
namespace {
constexpr size_t kChunkBytes = 1 << 16;
}

LineReader::LineReader(std::FILE* file, std::string path, uint64_t size)
    : file_(file), path_(std::move(path)), file_size_(size), buffer_(kChunkBytes + LineReader::kMaxLineBytes + 1, '\0') {}

LineReader::~LineReader() { std::fclose(file_); }

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Status::IoError(fmt::format("{}: is a directory", path));
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Status::IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  const auto size = std::filesystem::file_size(path, ec);
  return std::unique_ptr<LineReader>(new LineReader(file, path, ec ? 0 : size));
}

bool LineReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {  // keep the unread tail at the front
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const size_t room = buffer_.size() - end_;
  const size_t got = std::fread(buffer_.data() + end_, 1, room, file_);
  if (got == 0) eof_ = true;
  end_ += got;
  return got > 0;
}

Result<bool> LineReader::Next(std::string_view* line) {
  // Bounded: each pass either finds '\n', grows the unread data, or ends.
  while (true) {
    const char* start = buffer_.data() + begin_;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    const size_t available = end_ - begin_;
    if (newline != nullptr || (eof_ && available > 0)) {
      const size_t length = newline ? static_cast<size_t>(newline - start) : available;
      if (length > kMaxLineBytes) break;
      *line = std::string_view(start, length);
      line_offset_ = consumed_;
      ++line_number_;
      const size_t advance = newline ? length + 1 : length;
      begin_ += advance;
      consumed_ += advance;
      return true;
    }
    if (available > kMaxLineBytes) break;
    if (!Fill()) {
      if (std::ferror(file_)) return Status::IoError(fmt::format("{}: read error: {}", path_, std::strerror(errno)));
      if (end_ == begin_) return false;
    }
  }
  return Status::InvalidArgument(fmt::format("{}:{} (byte {}): line longer than {} bytes: not a text CAN log", path_,
                                   line_number_ + 1, consumed_, kMaxLineBytes));
}

}  // namespace packtwin
