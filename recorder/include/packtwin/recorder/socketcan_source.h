// A SocketCAN interface through a raw socket: every frame including error
// frames, CAN FD when the interface is FD, kernel timestamps, and the kernel's
// drop counter turned into gap events.
#pragma once

#include <cstdint>

#include "packtwin/recorder/source.h"

namespace packtwin::recorder {

// False when this kernel has no AF_CAN (then SocketCAN sources cannot start).
bool SocketCanAvailable();

class SocketCanSource : public Source {
 public:
  explicit SocketCanSource(std::string interface);
  ~SocketCanSource() override;
  const std::string& name() const override { return interface_; }
  std::string config_json() const override;
  Status Start() override;
  std::vector<int> fds() const override;
  Status OnReadable(int fd, short revents, const EventSink& sink) override;
  void Stop() override;

 private:
  std::string interface_;
  int fd_ = -1;
  bool fd_frames_ = false;
  uint32_t last_drop_count_ = 0;
};

}  // namespace packtwin::recorder
