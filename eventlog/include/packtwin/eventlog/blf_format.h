// Vector's Binary Logging Format (BLF), as CANoe and python-can's BLFWriter
// write it: a 144-byte "LOGG" header whose start time is a SYSTEMTIME, then
// "LOBJ" objects; LOG_CONTAINER objects hold further objects, zlib-deflated
// or stored, and an object may continue in the next container. Read here:
// CAN_MESSAGE(2), CAN_ERROR_EXT, CAN_FD_MESSAGE(_64); other objects are
// skipped and counted. Every size is checked before it is trusted.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "packtwin/base/status.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

struct BlfFrame {
  int64_t time_ns = 0;  // the header's start (a calendar time read as UTC) plus the object's offset
  v1::CanFrame frame;   // channel "can<channel - 1>"
};

class BlfReader {
 public:
  static Result<std::unique_ptr<BlfReader>> Open(const std::string& path);
  // Reads from bytes in memory instead (the fuzz harness).
  static Result<std::unique_ptr<BlfReader>> FromBytes(std::string bytes, const std::string& name);
  ~BlfReader();
  BlfReader(const BlfReader&) = delete;
  BlfReader& operator=(const BlfReader&) = delete;

  // The next CAN frame; false at the end of the file.
  Result<bool> Next(BlfFrame* out);
  uint64_t file_size() const { return file_size_; }
  uint64_t bytes_consumed() const { return consumed_; }
  uint64_t skipped_objects() const { return skipped_; }

 private:
  BlfReader(std::FILE* file, std::string bytes, std::string name, uint64_t size);
  Status ReadHeader();
  Result<bool> Read(size_t n, std::string* out);
  Result<bool> NextContainer();
  Result<bool> ParseObject(BlfFrame* out, bool* produced);
  Status Error(const std::string& what) const;

  std::FILE* file_ = nullptr;
  std::string memory_;  // FromBytes: the whole file
  std::string name_;
  uint64_t file_size_ = 0;
  uint64_t consumed_ = 0;
  uint64_t skipped_ = 0;
  int64_t start_ns_ = 0;
  std::string buffer_;  // uncompressed objects not yet parsed
  size_t pos_ = 0;
};

}  // namespace packtwin::eventlog
