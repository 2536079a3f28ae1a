#include "packtwin/recorder/relay_events.h"

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/bus/firmware_frame.h"

namespace packtwin::recorder {

std::optional<v1::Event> RelayChangeFromFrame(const v1::Event& frame_event, uint64_t frame_seq) {
  if (!frame_event.has_can_frame()) return std::nullopt;
  const auto frame = bus::ToFirmwareFrame(frame_event.can_frame());
  firmware::RelayEvtFrame evt;
  if (!frame || firmware::DecodeRelayEvt(*frame, &evt) != firmware::DecodeStatus::kOk) return std::nullopt;
  v1::Event out;
  out.set_capture_time_ns(frame_event.capture_time_ns());
  out.set_wall_time_ns(frame_event.wall_time_ns());
  out.set_source(frame_event.source());
  auto* change = out.mutable_relay_change();
  change->set_node(evt.node);
  change->set_relay(evt.relay);
  change->set_closed(evt.closed == 1);
  change->set_cause(static_cast<v1::RelayCause>(evt.cause));
  change->set_origin(v1::RELAY_ORIGIN_BUS_FRAME);
  change->set_evidence_seq(frame_seq);
  return out;
}

}  // namespace packtwin::recorder
