// RELAY_EVT frames seen on the bus become relay-change events that point at
// the frame they were read from. Decoded with the firmware's own codec.
#pragma once

#include <cstdint>
#include <optional>

#include "packtwin/v1/event.pb.h"

namespace packtwin::recorder {

// The relay change a recorded CAN frame event announces, if it is a valid
// RELAY_EVT; `frame_seq` is that frame's sequence number in the log.
std::optional<v1::Event> RelayChangeFromFrame(const v1::Event& frame_event, uint64_t frame_seq);

}  // namespace packtwin::recorder
