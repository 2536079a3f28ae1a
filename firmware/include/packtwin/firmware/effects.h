// What a reducer asks the world to do, in a fixed-capacity buffer. The MCU
// main loop carries effects out; the twin records them.
#pragma once

#include <cassert>
#include <cstdint>

#include "packtwin/firmware/can_frame.h"
#include "packtwin/firmware/modbus_rtu.h"
#include "packtwin/firmware/protocol_v1.h"

namespace packtwin::firmware {

enum class EffectKind : uint8_t { kCanSend, kModbusSend, kRelaySet, kStorageWrite, kAlarm };

enum class StoredSetting : uint8_t { kNodeId, kDeviceType, kModes, kEcoLimit, kGridBudget, kTouWindow };

struct Effect {
  EffectKind kind = EffectKind::kCanSend;
  CanFrame frame;                         // kCanSend
  uint8_t modbus[kBmsRequestLen] = {};    // kModbusSend
  uint8_t relay = 0;                      // kRelaySet
  bool closed = false;                    // kRelaySet
  RelayCause cause = RelayCause::kBoot;   // kRelaySet
  StoredSetting setting = StoredSetting::kNodeId;  // kStorageWrite
  AlarmCode alarm = AlarmCode::kBmsAlarmBits;      // kAlarm
  bool active = false;                             // kAlarm
};

// Enough for the busiest single step (a control cycle: 4 relay changes with
// their frames, alarms, telemetry, FLEET, heartbeat and the BMS poll).
inline constexpr uint8_t kMaxEffects = 32;

struct Effects {
  Effect items[kMaxEffects];
  uint8_t count = 0;

  Effect& Add(EffectKind kind) {
    assert(count < kMaxEffects && "a single step produced more effects than its worst case");
    // With asserts compiled out (the MCU image) the last slot is reused rather than overrun.
    Effect& effect = items[count < kMaxEffects ? count++ : kMaxEffects - 1];  // GCOVR_EXCL_BR_LINE
    effect = Effect{};
    effect.kind = kind;
    return effect;
  }
  void Clear() { count = 0; }
};

}  // namespace packtwin::firmware
