// A CAN bus through an slcan adapter on a serial port: sets the bit rate,
// turns on adapter timestamps, opens the channel, records frames, and closes
// the channel on exit.
#pragma once

#include <memory>

#include "packtwin/bus/serial_port.h"
#include "packtwin/bus/slcan_codec.h"
#include "packtwin/recorder/source.h"
#include "packtwin/bus/can_spec.h"

namespace packtwin::recorder {

class SlcanSource : public Source {
 public:
  explicit SlcanSource(bus::CanBusSpec spec);
  const std::string& name() const override { return name_; }
  std::string config_json() const override;
  Status Start() override;
  std::vector<int> fds() const override;
  Status OnReadable(int fd, short revents, const EventSink& sink) override;
  void Stop() override;

 private:
  Status Emit(const bus::SlcanItem& item, const EventSink& sink);
  // Sends one setup command and waits for CR (true) or BEL (false).
  Result<bool> Command(const std::string& command);
  int64_t CaptureNs(const bus::SlcanFrame& frame, int64_t host_ns);

  bus::CanBusSpec spec_;
  std::string name_;
  std::unique_ptr<bus::SerialPort> port_;
  bus::SlcanParser parser_;
  bool timestamps_ = false;  // the adapter accepted Z1
  // Adapter timestamps (ms, wrapping at 60 s) unwrapped onto the host clock.
  bool anchored_ = false;
  int64_t anchor_host_ns_ = 0;
  int64_t anchor_adapter_ms_ = 0;
  int64_t last_adapter_ms_ = 0;
};

}  // namespace packtwin::recorder
