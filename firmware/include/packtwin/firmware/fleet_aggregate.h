// The FLEET aggregate over live packs: packs online, average SOC, total
// battery and solar power, total grid energy today. Sums first, then scale
// with integer division truncating toward zero (can-protocol.md).
#pragma once

#include <cstdint>

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/node_table.h"

namespace packtwin::firmware {

// A pack's own figures, counted as one more live pack (the master counts itself).
struct SelfFigures {
  bool present = false;
  uint8_t node = 0;
  uint8_t soc = 0;
  int32_t p_batt_W = 0;
  int32_t p_solar_W = 0;
  uint32_t grid_today_Wh = 0;
};

FleetFrame ComputeFleetAggregate(const NodeTable& table, uint64_t now_ms, const SelfFigures& self);

}  // namespace packtwin::firmware
