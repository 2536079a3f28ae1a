// A SocketCAN interface as a capture source: frames (error and FD frames
// included) with kernel timestamps, and the kernel's drop counter turned into
// gap events. The socket itself is bus::CanSocket.
#pragma once

#include <cstdint>
#include <optional>

#include "packtwin/bus/socketcan.h"
#include "packtwin/recorder/source.h"

namespace packtwin::recorder {

class SocketCanSource : public Source {
 public:
  explicit SocketCanSource(std::string interface);
  const std::string& name() const override { return interface_; }
  std::string config_json() const override;
  Status Start() override;
  std::vector<int> fds() const override;
  Status OnReadable(int fd, short revents, const EventSink& sink) override;
  void Stop() override;

 private:
  Status Emit(bus::ReceivedCanFrame received, const EventSink& sink);

  std::string interface_;
  std::optional<bus::CanSocket> socket_;
  uint32_t last_drop_count_ = 0;
};

}  // namespace packtwin::recorder
