// One line per recorded event for `record --print`: a CAN frame as candump
// writes it, then its protocol name and decoded signals; Modbus exchanges,
// MQTT messages and gaps in the same spirit. Empty for events not worth a line.
#pragma once

#include <string>

#include "packtwin/eventlog/interface_names.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::cli {

class LivePrinter {
 public:
  // CAN channels are named as exports name them (slcan0 for "slcan:/dev/ttyACM0").
  std::string Line(const v1::Event& event);

 private:
  std::string CanLine(const v1::Event& event);
  eventlog::InterfaceNames interfaces_;
};

}  // namespace packtwin::cli
