// What the twin knows after folding a log up to some event: the bridge's view
// of the fleet (the firmware's fleet reducer over every CAN frame) and, for
// each pack, what its own frames said (telemetry, relays with causes, alarms,
// identity), decoded with the firmware's codecs.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "packtwin/firmware/fleet_reducer.h"

namespace packtwin::twin {

struct RelayView {
  bool known = false;
  bool closed = false;
  uint8_t cause = 0;  // firmware::RelayCause of the last change
  uint64_t changed_seq = 0;
};

struct PackView {
  uint8_t node = 0;
  // TEL_BATT
  bool has_batt = false;
  uint16_t pack_cV = 0;
  int16_t current_cA = 0;
  uint8_t soc = 0;
  uint8_t relays = 0;
  uint8_t modes = 0;
  uint8_t status = 0;
  // TEL_POWER
  bool has_power = false;
  int16_t p_grid_W = 0;
  int16_t p_home_W = 0;
  int16_t p_batt_W = 0;
  int16_t p_solar_W = 0;
  // TEL_LOADS
  bool has_loads = false;
  int16_t p_pool_W = 0;
  int16_t p_heater_W = 0;
  uint16_t grid_today_Wh10 = 0;
  uint8_t grid_budget_kWh = 0;
  uint8_t eco_limit_100W = 0;
  // RELAY_EVT
  std::array<RelayView, 4> relay{};
  // ALARM: active flag per code 1..6, and the BMS bits last reported
  std::array<bool, 7> alarm_active{};
  uint16_t bms_alarm_bits = 0;
  uint64_t last_seq = 0;
  int64_t last_wall_ns = 0;
};

struct TwinState {
  firmware::FleetState fleet;
  std::map<uint8_t, PackView> packs;  // ordered by node id: deterministic
  uint64_t events = 0;
  uint64_t last_seq = 0;
  int64_t first_wall_ns = 0;
  int64_t last_wall_ns = 0;
  uint64_t bad_length_frames = 0;
};

// The twin's clock for the reducers: ms of wall time.
inline uint64_t TwinMs(int64_t wall_ns) { return wall_ns <= 0 ? 0 : static_cast<uint64_t>(wall_ns / 1'000'000); }

uint64_t TwinDigest(const TwinState& state);

}  // namespace packtwin::twin
