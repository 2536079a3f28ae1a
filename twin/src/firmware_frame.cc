#include "packtwin/twin/firmware_frame.h"

#include <algorithm>

namespace packtwin::twin {

std::optional<firmware::CanFrame> ToFirmwareFrame(const v1::CanFrame& in) {
  if (in.fd() || in.data().size() > firmware::kCanMaxLen) return std::nullopt;
  firmware::CanFrame out;
  out.id = in.id();
  out.extended = in.extended();
  out.remote = in.rtr();
  out.error = in.error();
  out.len = static_cast<uint8_t>(in.data().size());
  std::copy(in.data().begin(), in.data().end(), out.data);
  return out;
}

}  // namespace packtwin::twin
