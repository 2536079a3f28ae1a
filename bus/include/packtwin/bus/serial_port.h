// A serial device (or pseudo-terminal) opened raw, 8N1, non-blocking, at a
// given baud rate. Closes on destruction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "packtwin/base/status.h"

namespace packtwin::bus {

class SerialPort {
 public:
  static Result<SerialPort> Open(const std::string& path, uint32_t baud);
  SerialPort(SerialPort&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) { other.fd_ = -1; }
  SerialPort& operator=(SerialPort&& other) noexcept;
  SerialPort(const SerialPort&) = delete;
  ~SerialPort();

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // Writes all of `text` (a short command); an error names the device.
  Status Write(const std::string& text);
  // Reads what is there: bytes read, 0 at end (device gone), error otherwise.
  Result<size_t> Read(uint8_t* buffer, size_t capacity);

 private:
  SerialPort(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

}  // namespace packtwin::bus
