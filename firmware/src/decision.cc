#include "packtwin/firmware/decision.h"

#include <cassert>

namespace packtwin::firmware {
namespace {

struct Verdict {
  bool found;  // false: no function decides this relay now
  bool closed;
  RelayCause cause;
};

bool On(const DecisionInputs& in, uint8_t mode_bit) { return (in.modes & mode_bit) != 0; }

bool TouActive(const DecisionInputs& in) { return On(in, kModeTimeOfUse) && in.time_synced; }

int32_t LoadPowerW(const DecisionInputs& in, uint8_t relay) {
  if (relay == kRelayHeater) return in.p_heater_W;
  if (relay == kRelayPool) return in.p_pool_W;
  return in.p_home_W;
}

// Sheds one load per cycle while over the limit; restores one per cycle, in
// reverse, when the remembered power fits and 30 s passed since the last change.
void StepEco(EcoState* eco, const DecisionInputs& in, bool* overload_changed) {
  const bool was_overloaded = eco->overload;
  if (!On(in, kModeEco)) {
    *eco = EcoState{};
    *overload_changed = was_overloaded;
    return;
  }
  const int32_t load_W = in.p_home_W + in.p_pool_W + in.p_heater_W;
  const bool held = eco->changed_once && in.now_ms - eco->last_change_ms < kEcoHoldMs;
  if (load_W > in.eco_limit_W) {
    eco->overload = eco->shed_count == 3;
    if (eco->shed_count < 3) {
      const uint8_t relay = kEcoShedOrder[eco->shed_count];
      eco->remembered_W[eco->shed_count] = LoadPowerW(in, relay);
      ++eco->shed_count;
      eco->changed_once = true;
      eco->last_change_ms = in.now_ms;
    }
  } else {
    eco->overload = false;
    if (eco->shed_count > 0 && !held && load_W + eco->remembered_W[eco->shed_count - 1] <= in.eco_limit_W) {
      --eco->shed_count;
      eco->remembered_W[eco->shed_count] = 0;
      eco->changed_once = true;
      eco->last_change_ms = in.now_ms;
    }
  }
  *overload_changed = was_overloaded != eco->overload;
}

void StepSelfConsumption(DecisionState* state, const DecisionInputs& in) {
  const bool on = On(in, kModeSelfConsumption);
  // Switched on between the thresholds: hold the relay as it is.
  if (on && !state->sc_was_on) state->sc_grid_closed = (state->relays & (1u << kRelayGrid)) != 0;
  state->sc_was_on = on;
  if (!on) return;
  if (in.soc <= kScCloseAtOrBelowSoc) state->sc_grid_closed = true;
  if (in.soc >= kScOpenAtOrAboveSoc) state->sc_grid_closed = false;
}

Verdict ManualOrDefault(const DecisionState& state, uint8_t relay) {
  if (state.manual[relay] != kNoManual) return {true, state.manual[relay] == 1, RelayCause::kManual};
  return {true, true, RelayCause::kDefault};
}

// The function deciding `relay` this cycle, if any.
Verdict FunctionVerdict(const DecisionState& state, const DecisionInputs& in, uint8_t relay) {
  if (relay == kRelayGrid) {
    if (in.lockout) return {true, false, RelayCause::kLockout};
    if (On(in, kModeBackup)) return {true, true, RelayCause::kBackup};
    if (On(in, kModeSelfConsumption)) return {true, state.sc_grid_closed, RelayCause::kSelfConsumption};
    return {false, false, RelayCause::kDefault};
  }
  if (EcoHasShed(state.eco, relay)) return {true, false, RelayCause::kEco};
  if (relay == kRelayInverter && TouActive(in)) {
    return {true, TimeOfUseWindowOpen(in.tou_start_h, in.tou_end_h, in.local_hour), RelayCause::kTimeOfUse};
  }
  return {false, false, RelayCause::kDefault};
}

}  // namespace

bool TimeOfUseWindowOpen(uint8_t start_h, uint8_t end_h, uint8_t hour) {
  if (start_h < end_h) return hour >= start_h && hour < end_h;
  return hour >= start_h || hour < end_h;  // wraps past midnight
}

bool EcoHasShed(const EcoState& eco, uint8_t relay) {
  assert(eco.shed_count <= 3);
  for (uint8_t i = 0; i < eco.shed_count; ++i) {
    if (kEcoShedOrder[i] == relay) return true;
  }
  return false;
}

bool FunctionControlsRelay(const DecisionState& state, const DecisionInputs& in, uint8_t relay) {
  return FunctionVerdict(state, in, relay).found;
}

void DecideRelays(DecisionState* state, const DecisionInputs& in, Decision* out) {
  *out = Decision{};
  StepEco(&state->eco, in, &out->overload_changed);
  StepSelfConsumption(state, in);
  for (uint8_t relay = 0; relay < kRelayCount; ++relay) {
    Verdict verdict = FunctionVerdict(*state, in, relay);
    if (verdict.found) {
      state->manual[relay] = kNoManual;  // a function took the relay: the override ends
    } else {
      verdict = ManualOrDefault(*state, relay);
    }
    const uint8_t bit = static_cast<uint8_t>(1u << relay);
    const bool closed_now = (state->relays & bit) != 0;
    if (verdict.closed == closed_now) continue;
    state->relays = static_cast<uint8_t>(verdict.closed ? (state->relays | bit) : (state->relays & ~bit));
    state->cause[relay] = verdict.cause;
    out->changes[out->count++] = {relay, verdict.closed, verdict.cause, state->relays};
  }
}

}  // namespace packtwin::firmware
