// A SocketCAN interface through a raw socket, both directions: for capture
// every frame including error frames, CAN FD when the interface is FD, kernel
// timestamps and the kernel's drop counter; for playback, frames written.
// Compiled everywhere; on a kernel without AF_CAN, Open says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "packtwin/base/status.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::bus {

// False when this kernel has no AF_CAN (then SocketCAN cannot be opened).
bool SocketCanAvailable();

struct ReceivedCanFrame {
  v1::CanFrame frame;        // channel = the interface, direction RX
  int64_t kernel_wall_ns = 0;  // 0 when the kernel gave no timestamp
  std::optional<uint32_t> drop_count;  // the kernel's running count, when given
};

class CanSocket {
 public:
  enum class Use { kCapture, kTransmit };
  // kCapture: non-blocking, error frames, timestamps, drop counter, FD when
  // the interface's MTU says so, a large receive buffer. kTransmit: blocking writes.
  static Result<CanSocket> Open(const std::string& interface, Use use);
  CanSocket(CanSocket&& other) noexcept;
  CanSocket& operator=(CanSocket&& other) noexcept;
  CanSocket(const CanSocket&) = delete;
  ~CanSocket();

  int fd() const { return fd_; }
  bool fd_frames() const { return fd_frames_; }
  const std::string& interface() const { return interface_; }
  // One frame; nullopt when none is waiting. An error names the interface.
  Result<std::optional<ReceivedCanFrame>> Read();
  // A classic frame (FD frames are not sent: Alfaspark buses are classic CAN).
  Status Write(const v1::CanFrame& frame);
  void Close();

 private:
  CanSocket(int fd, std::string interface) : fd_(fd), interface_(std::move(interface)) {}
  int fd_ = -1;
  std::string interface_;
  bool fd_frames_ = false;
};

}  // namespace packtwin::bus
