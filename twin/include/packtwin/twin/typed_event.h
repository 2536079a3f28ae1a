// One stored event as every consumer in the twin takes it, decoded once: the
// fold, `check` (and through it the shadow decisions and the BMS watch),
// `timeline` and `golden` all read this record instead of converting,
// classifying and decoding the same CAN frame again.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>

#include "packtwin/firmware/can_frame.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/can_v1_id.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::twin {

// A CAN v1 frame decoded by the firmware's own codec: monostate when the frame
// is not CAN v1, or its decode failed (then TypedEvent::status says why).
using DecodedFrame =
    std::variant<std::monostate, firmware::CommandFrame, firmware::AlarmFrame, firmware::TimeFrame,
                 firmware::TelBattFrame, firmware::TelPowerFrame, firmware::TelLoadsFrame, firmware::FleetFrame,
                 firmware::AckFrame, firmware::RelayEvtFrame, firmware::HeartbeatFrame>;

struct TypedEvent {
  const v1::Event* event = nullptr;  // the stored event: seq, times, source, payload
  uint64_t seq = 0;
  int64_t wall_ns = 0;
  // A CAN frame as the firmware takes it (nullopt: not a CAN event, or one no
  // Alfaspark device sends: CAN FD, more than 8 bytes).
  std::optional<firmware::CanFrame> frame;
  firmware::CanV1Id id{};  // id.valid: a CAN v1 id
  firmware::DecodeStatus status = firmware::DecodeStatus::kOk;
  DecodedFrame decoded;
  const v1::ModbusExchange* modbus = nullptr;  // a Modbus exchange event
  const v1::MqttMessage* mqtt = nullptr;       // an MQTT message event

  // The decoded frame of type T, or nullptr.
  template <typename T>
  const T* As() const {
    return std::get_if<T>(&decoded);
  }
};

// Visitor of lambdas, one per frame type: std::visit(Overloaded{...}, typed.decoded).
template <typename... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};
template <typename... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;  // clang 14 has no aggregate deduction yet

// Converts, classifies and decodes once. `event` must outlive the result.
TypedEvent TypeEvent(const v1::Event& event);

}  // namespace packtwin::twin
