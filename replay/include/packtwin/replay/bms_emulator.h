// `packtwin bms-emulate`: a recorded BMS put back on an RS-485 line. Answers
// Modbus RTU requests on a serial port with the replies a tap recorded at the
// matching time, so a bench pack can be fed a field BMS. The recording's clock
// starts at the first request (a bench pack polls from its own boot); a
// request gets the latest recorded exchange with the same request bytes at or
// before that time, replayed as recorded: a good reply, an exception, a
// corrupted reply, or silence where the field BMS timed out.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "packtwin/base/status.h"
#include "packtwin/base/time_spec.h"

namespace packtwin::replay {

struct BmsEmulateRequest {
  std::string db;
  std::string port;      // serial device, e.g. /dev/ttyUSB0
  uint32_t baud = 9600;
  std::optional<uint8_t> node;  // whose BMS, when the log has several taps
  double speed = 1.0;
  std::optional<TimeSpec> from;  // where in the log the clock starts
};

struct BmsEmulateReport {
  std::string tap;          // the recorded port whose replies are played
  uint64_t exchanges = 0;   // recorded exchanges available
  uint64_t requests = 0;    // valid requests to the BMS's address
  uint64_t answered = 0;
  uint64_t silent = 0;      // the recording timed out there
  uint64_t unknown = 0;     // requests never recorded: exception 02 (illegal data address)
  uint64_t ignored = 0;     // bad CRC or another slave address
};

using BmsReadyFn = std::function<void(const BmsEmulateReport&)>;

Result<BmsEmulateReport> EmulateBms(const BmsEmulateRequest& request, const std::function<bool()>& stop_requested,
                                    const BmsReadyFn& on_ready = {});

}  // namespace packtwin::replay
