// A recorded CAN frame as the firmware's codecs take it; nullopt for frames
// no Alfaspark device sends (CAN FD, more than 8 bytes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "packtwin/firmware/can_frame.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::bus {

std::optional<firmware::CanFrame> ToFirmwareFrame(const v1::CanFrame& frame);

// The other way: a frame a device sends, as a recorded event on `channel`
// (source and channel alike) at `wall_ns` (also its capture time).
v1::Event EventFromFirmwareFrame(const firmware::CanFrame& frame, int64_t wall_ns, const std::string& channel = "can0");

}  // namespace packtwin::bus
