#include "packtwin/bus/firmware_frame.h"

#include <algorithm>

namespace packtwin::bus {

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

v1::Event EventFromFirmwareFrame(const firmware::CanFrame& frame, int64_t wall_ns, const std::string& channel) {
  v1::Event event;
  event.set_wall_time_ns(wall_ns);
  event.set_capture_time_ns(wall_ns);
  event.set_source(channel);
  auto* out = event.mutable_can_frame();
  out->set_channel(channel);
  out->set_id(frame.id);
  out->set_extended(frame.extended);
  out->set_rtr(frame.remote);
  out->set_error(frame.error);
  out->set_dlc(frame.len);
  out->set_data(std::string(reinterpret_cast<const char*>(frame.data), frame.len));
  return event;
}

}  // namespace packtwin::bus
