// Names of our own protocol's frames for displays and exports, from the
// firmware's id classification (the same code the packs run).
#pragma once

#include "packtwin/v1/event.pb.h"

namespace packtwin::twin {

// "TEL_BATT", "HEARTBEAT", ...; nullptr for frames outside protocol v1.
const char* AlfasparkFrameName(const v1::CanFrame& frame);

}  // namespace packtwin::twin
