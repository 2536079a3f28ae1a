// JSON lines: one event per line, ids decoded, bytes as hex, and for frames of
// our own protocol the frame name and its signals (supplied by the caller,
// which knows the protocol).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

// Adds what the protocol knows of a CAN frame event to its JSON object: its
// name ("TEL_BATT"), decoded signals; nothing for a frame it does not know.
using FrameDescriber = std::function<void(const v1::Event&, nlohmann::ordered_json&)>;

std::string EventToJsonLine(const v1::Event& event, const FrameDescriber& describe);

}  // namespace packtwin::eventlog
