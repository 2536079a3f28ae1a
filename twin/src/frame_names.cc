#include "packtwin/twin/frame_names.h"

#include "packtwin/firmware/can_v1_id.h"

namespace packtwin::twin {

const char* AlfasparkFrameName(const v1::CanFrame& frame) {
  // CAN FD frames are not part of protocol v1 (classical CAN 2.0A only).
  const auto id = firmware::ClassifyCanV1Id(frame.id(), frame.extended() || frame.fd(), frame.rtr(), frame.error());
  return firmware::CanV1FrameName(id);
}

}  // namespace packtwin::twin
