#include "packtwin/bus/serial_port.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace packtwin::bus {
namespace {

speed_t BaudConstant(uint32_t baud) {
  switch (baud) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 500000: return B500000;
    case 921600: return B921600;
    case 1000000: return B1000000;
    case 2000000: return B2000000;
    case 3000000: return B3000000;
    default: return 0;
  }
}

}  // namespace

Result<SerialPort> SerialPort::Open(const std::string& path, uint32_t baud) {
  const speed_t speed = BaudConstant(baud);
  if (speed == 0) return Status::IoError(fmt::format("{}: unsupported baud rate {}", path, baud));
  const int fd = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Status::IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  SerialPort port(fd, path);
  termios tio{};
  if (tcgetattr(fd, &tio) != 0) {
    return Status::IoError(fmt::format("{}: not a serial device: {}", path, std::strerror(errno)));
  }
  cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS);
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  cfsetispeed(&tio, speed);
  cfsetospeed(&tio, speed);
  if (tcsetattr(fd, TCSANOW, &tio) != 0) {
    return Status::IoError(fmt::format("{}: cannot configure: {}", path, std::strerror(errno)));
  }
  return port;
}

SerialPort& SerialPort::operator=(SerialPort&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

SerialPort::~SerialPort() {
  if (fd_ >= 0) ::close(fd_);
}

Status SerialPort::Write(const std::string& text) {
  size_t done = 0;
  // Bounded: each pass writes something or waits up to 100 ms, at most 50 passes.
  for (int pass = 0; pass < 50 && done < text.size(); ++pass) {
    const ssize_t wrote = ::write(fd_, text.data() + done, text.size() - done);
    if (wrote > 0) {
      done += static_cast<size_t>(wrote);
      continue;
    }
    if (wrote < 0 && errno != EAGAIN && errno != EINTR) {
      return Status::IoError(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
    }
    pollfd pfd{fd_, POLLOUT, 0};
    ::poll(&pfd, 1, 100);
  }
  if (done < text.size()) return Status::IoError(fmt::format("{}: write timed out", path_));
  return Status::Ok();
}

Result<size_t> SerialPort::Read(uint8_t* buffer, size_t capacity) {
  const ssize_t got = ::read(fd_, buffer, capacity);
  if (got >= 0) return static_cast<size_t>(got);
  if (errno == EAGAIN || errno == EINTR) return static_cast<size_t>(0);
  return Status::IoError(fmt::format("{}: read failed: {}", path_, std::strerror(errno)));
}

}  // namespace packtwin::bus
