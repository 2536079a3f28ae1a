// A protocol v1 frame's signals as values a person or a spreadsheet reads:
// physical values with units in their names, from the firmware's signal
// table, for frames the firmware's own decoder accepts.
#pragma once

#include <nlohmann/json.hpp>

#include "packtwin/firmware/can_v1_signals.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::twin {

// raw * scale: an integer when the scale is whole, else a decimal.
nlohmann::ordered_json PhysicalValue(const firmware::SignalSpec& signal, int64_t raw);

// Adds "name", "node" (the sender, or a COMMAND's addressee), and "signals" {name: physical value} and "values" {name: value
// name} when the firmware decodes the frame, or "decode": why it does not
// ("bad_length", "out_of_range"). Nothing for frames outside protocol v1.
void DescribeFrame(const v1::Event& event, nlohmann::ordered_json& out);

}  // namespace packtwin::twin
