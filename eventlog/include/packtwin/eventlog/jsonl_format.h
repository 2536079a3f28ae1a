// JSON lines: one event per line, ids decoded, bytes as hex, and for frames of
// our own protocol the frame name (supplied by the caller, which knows it).
#pragma once

#include <functional>
#include <string>

#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

// Returns the protocol's name for a frame ("TEL_BATT"), or nullptr.
using FrameNamer = std::function<const char*(const v1::CanFrame&)>;

std::string EventToJsonLine(const v1::Event& event, const FrameNamer& namer);

}  // namespace packtwin::eventlog
