// A recorded CAN frame as the firmware's codecs take it; nullopt for frames
// no Alfaspark device sends (CAN FD, more than 8 bytes).
#pragma once

#include <optional>

#include "packtwin/firmware/can_frame.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::twin {

std::optional<firmware::CanFrame> ToFirmwareFrame(const v1::CanFrame& frame);

}  // namespace packtwin::twin
