// What a pack does to the world, shared by the control cycle and the command
// handlers: frames it sends, alarms, lockout, storage writes.
#pragma once

#include "packtwin/firmware/effects.h"
#include "packtwin/firmware/pack_state.h"

namespace packtwin::firmware {

void SendFrame(const CanFrame& frame, Effects* effects);
void SendHeartbeat(const PackState& state, Effects* effects);
void SendTelemetry(const PackState& state, Effects* effects);
void RaiseAlarm(const PackState& state, AlarmCode code, bool active, Effects* effects);
void WriteSetting(PackState* state, StoredSetting setting, Effects* effects);
void EnterLockout(PackState* state, Effects* effects);
void EndLockout(PackState* state, Effects* effects);
void SetRelay(uint8_t relay, bool closed, RelayCause cause, uint8_t relays_after, const PackState& state,
              Effects* effects);
DecisionInputs DecisionInputsFor(const PackState& state, uint64_t now_ms);

}  // namespace packtwin::firmware
