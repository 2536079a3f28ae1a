// A listen-only tap on an RS-485 line (a serial adapter that only reads):
// both sides' bytes arrive interleaved and are split into frames and paired
// into exchanges. Nothing is ever written to the line.
#pragma once

#include <memory>
#include <string_view>
#include <variant>

#include "packtwin/recorder/rtu_pairer.h"
#include "packtwin/recorder/rtu_splitter.h"
#include "packtwin/bus/serial_port.h"
#include "packtwin/base/text_cursor.h"
#include "packtwin/recorder/source.h"

namespace packtwin::recorder {

// How long the tap waits for a reply before calling it late (or, with no
// reply before the next request, a timeout). 1 s: common masters (Modbus
// poll tools, libmodbus' 0.5 s, PLCs' 1 s) give up within it, and the pack's
// own 100 ms is well inside it.
constexpr int64_t kDefaultTapReplyWindowMs = 1000;

struct TapSpec {
  std::string device;
  uint32_t baud = 9600;  // the BMS line runs at 9600 8N1
  int64_t reply_window_ms = kDefaultTapReplyWindowMs;
};

// "/dev/ttyUSB0", "/dev/ttyUSB0@19200", "/dev/ttyUSB0@19200,timeout=250ms";
// a ParseError (with its column) when malformed.
std::variant<TapSpec, ParseError> ParseTapSpec(std::string_view text);

class ModbusTapSource : public Source {
 public:
  explicit ModbusTapSource(TapSpec spec);
  const std::string& name() const override { return name_; }
  std::string config_json() const override;
  Status Start() override;
  std::vector<int> fds() const override;
  Status OnReadable(int fd, short revents, const EventSink& sink) override;
  Status OnTick(const EventSink& sink) override;
  Status Drain(const EventSink& sink) override;
  void Stop() override;

 private:
  Status Record(const std::vector<RtuFrame>& frames, const EventSink& sink);
  Status Record(const std::vector<RtuExchange>& exchanges, const EventSink& sink);

  TapSpec spec_;
  std::string name_;
  std::unique_ptr<bus::SerialPort> port_;
  RtuSplitter splitter_;
  RtuPairer pairer_;
  // Monotonic and wall clocks at one instant, to stamp exchanges settled later.
  int64_t wall_minus_mono_ns_ = 0;
};

}  // namespace packtwin::recorder
