#include "packtwin/twin/typed_event.h"

#include "packtwin/bus/firmware_frame.h"

namespace packtwin::twin {
namespace {

template <typename T>
void Decode(firmware::DecodeStatus (*decode)(const firmware::CanFrame&, T*), TypedEvent* typed) {
  T frame{};
  typed->status = decode(*typed->frame, &frame);
  if (typed->status == firmware::DecodeStatus::kOk) typed->decoded = frame;
}

void DecodeByFunction(TypedEvent* typed) {
  switch (typed->id.function) {
    case firmware::CanFunction::kCommand: return Decode(&firmware::DecodeCommand, typed);
    case firmware::CanFunction::kAlarm: return Decode(&firmware::DecodeAlarm, typed);
    case firmware::CanFunction::kTime: return Decode(&firmware::DecodeTime, typed);
    case firmware::CanFunction::kTelBatt: return Decode(&firmware::DecodeTelBatt, typed);
    case firmware::CanFunction::kTelPower: return Decode(&firmware::DecodeTelPower, typed);
    case firmware::CanFunction::kTelLoads: return Decode(&firmware::DecodeTelLoads, typed);
    case firmware::CanFunction::kFleet: return Decode(&firmware::DecodeFleet, typed);
    case firmware::CanFunction::kAck: return Decode(&firmware::DecodeAck, typed);
    case firmware::CanFunction::kRelayEvt: return Decode(&firmware::DecodeRelayEvt, typed);
    case firmware::CanFunction::kHeartbeat: return Decode(&firmware::DecodeHeartbeat, typed);
  }
}

}  // namespace

TypedEvent TypeEvent(const v1::Event& event) {
  TypedEvent typed;
  typed.event = &event;
  typed.seq = event.seq();
  typed.wall_ns = event.wall_time_ns();
  if (event.has_modbus()) typed.modbus = &event.modbus();
  if (event.has_mqtt()) typed.mqtt = &event.mqtt();
  if (!event.has_can_frame()) return typed;
  typed.frame = bus::ToFirmwareFrame(event.can_frame());
  if (!typed.frame) return typed;
  typed.id = firmware::ClassifyCanV1Id(typed.frame->id, typed.frame->extended, typed.frame->remote, typed.frame->error);
  if (typed.id.valid) DecodeByFunction(&typed);
  return typed;
}

}  // namespace packtwin::twin
