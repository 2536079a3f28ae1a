// Decision: measurements, time and settings -> every relay, with the cause.
// Pure and separate from measurement, so the twin can run it on the
// measurements a pack reported on the bus.
//
// Who decides each relay (first rule that applies wins):
//   grid:     lockout -> open; Backup -> closed; Self-consumption; manual; closed
//   inverter: Eco shed -> open; Time of use -> window; manual; closed
//   pool, heater: Eco shed -> open; manual; closed
#pragma once

#include <cstdint>

#include "packtwin/firmware/protocol_v1.h"

namespace packtwin::firmware {

inline constexpr uint8_t kScCloseAtOrBelowSoc = 10;
inline constexpr uint8_t kScOpenAtOrAboveSoc = 50;
inline constexpr uint64_t kEcoHoldMs = 30'000;
inline constexpr uint8_t kNoManual = 0xFF;

// Eco sheds in this order and restores in reverse.
inline constexpr uint8_t kEcoShedOrder[3] = {kRelayHeater, kRelayPool, kRelayInverter};

struct DecisionInputs {
  uint8_t modes = 0;
  bool lockout = false;
  uint8_t soc = 0;
  int32_t p_home_W = 0;
  int32_t p_pool_W = 0;
  int32_t p_heater_W = 0;
  int32_t eco_limit_W = 0;
  bool time_synced = false;
  uint8_t local_hour = 0;
  uint8_t tou_start_h = 0;
  uint8_t tou_end_h = 0;
  uint64_t now_ms = 0;
};

struct EcoState {
  uint8_t shed_count = 0;      // how many of kEcoShedOrder are shed
  int32_t remembered_W[3] = {};  // each load's power just before it was shed
  bool changed_once = false;
  uint64_t last_change_ms = 0;  // last shed or restore
  bool overload = false;
};

struct DecisionState {
  uint8_t relays = 0x0F;  // bit per relay, 1 = closed
  RelayCause cause[kRelayCount] = {RelayCause::kBoot, RelayCause::kBoot, RelayCause::kBoot, RelayCause::kBoot};
  uint8_t manual[kRelayCount] = {kNoManual, kNoManual, kNoManual, kNoManual};  // 0 open, 1 closed
  bool sc_was_on = false;
  bool sc_grid_closed = true;  // the self-consumption hysteresis
  EcoState eco;
};

struct RelayChange {
  uint8_t relay = 0;
  bool closed = false;
  RelayCause cause = RelayCause::kDefault;
  uint8_t relays_after = 0;
};

struct Decision {
  RelayChange changes[kRelayCount];
  uint8_t count = 0;
  bool overload_changed = false;
};

// One control cycle's decision: advances Eco and self-consumption state and
// returns the relay changes in relay order.
void DecideRelays(DecisionState* state, const DecisionInputs& in, Decision* out);

// True while a function above manual controls `relay`: SET_RELAY is REJECTED.
bool FunctionControlsRelay(const DecisionState& state, const DecisionInputs& in, uint8_t relay);

bool TimeOfUseWindowOpen(uint8_t start_h, uint8_t end_h, uint8_t hour);
bool EcoHasShed(const EcoState& eco, uint8_t relay);

}  // namespace packtwin::firmware
