// A simulated Alfaspark site: every pack runs the firmware reducer, each BMS is
// a model answering the pack's Modbus polls, CT currents follow a daily load
// and solar profile, a bridge sends heartbeats and the time, and the CAN bus
// delivers frames sent at the same instant in arbitration order (lowest id
// first). Everything is recorded as a capture with the event kinds the
// recorder writes. Deterministic: the same config and seed give the same log.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "packtwin/base/progress.h"
#include "packtwin/base/status.h"
#include "packtwin/replay/sim_engine.h"

namespace packtwin::replay {

struct SimConfig {
  int packs = 3;
  int64_t duration_ms = 24LL * 3'600'000;
  uint64_t seed = 1;
  int64_t start_unix_s = 1795233600;  // 2026-11-21T04:00:00Z: 05:00 local at UTC+1
  int16_t utc_offset_min = 60;
  uint8_t modes = 0x03;               // self-consumption and Eco
  uint16_t eco_limit_W = 3000;
  uint8_t grid_budget_kWh = 10;
  std::string output;
  std::string site = "simulated";
  std::string tool_version;
  bool force = false;
};


Result<SimSummary> Simulate(const SimConfig& config, const ProgressFn& progress = {}  /* simulated ms */);

}  // namespace packtwin::replay
