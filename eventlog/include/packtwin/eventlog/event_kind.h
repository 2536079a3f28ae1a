// The kinds of event, as stored in the `kind` column (the oneof field number).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

using EventKind = v1::Event::KindCase;

// "can_frame", "modbus", ...; "unknown(N)"-style callers handle nullopt.
std::optional<std::string_view> EventKindName(int kind);

// The indexed `can_id` column: the identifier of a CAN frame event.
std::optional<int64_t> IndexedCanId(const v1::Event& event);
// The indexed `node` column: the node an event is about. For a standard CAN
// frame that is the low 7 bits of the id (Alfaspark id layout); for relay and
// sensor events their node field.
std::optional<int64_t> IndexedNode(const v1::Event& event);

}  // namespace packtwin::eventlog
