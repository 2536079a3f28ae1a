// Everything one Energy-Pack knows. Fixed size, no pointers: it is what the
// MCU keeps in RAM and what the twin folds and digests.
#pragma once

#include <cstdint>

#include "packtwin/firmware/bms_poller.h"
#include "packtwin/firmware/decision.h"
#include "packtwin/firmware/local_clock.h"
#include "packtwin/firmware/measurement.h"
#include "packtwin/firmware/node_table.h"

namespace packtwin::firmware {

inline constexpr uint64_t kCycleMs = 2000;
inline constexpr uint32_t kHeartbeatEveryCycles = 5;
inline constexpr uint64_t kBootListenMs = 10'000;
inline constexpr uint8_t kFirstAutoNodeId = 0x10;
inline constexpr uint8_t kLastAutoNodeId = 0x7D;

// Non-volatile settings: written only when a command changes them.
struct PackSettings {
  bool valid = false;  // false on a factory-fresh unit
  uint8_t node_id = 0;
  uint8_t device_type = static_cast<uint8_t>(DeviceType::kEnergyPack);
  uint8_t modes = 0;
  uint16_t eco_limit_W = 5000;
  uint8_t grid_budget_kWh = 10;
  uint8_t tou_start_h = 22;
  uint8_t tou_end_h = 6;
};

struct PackCounters {
  uint32_t bad_length_frames = 0;
  uint32_t out_of_range_frames = 0;
  uint32_t time_invalid = 0;
  uint32_t storage_writes_today = 0;
  uint32_t daily_resets = 0;
  uint32_t commands = 0;
};

struct PackState {
  uint64_t serial = 0;  // 48-bit eFuse MAC
  PackSettings settings;
  uint64_t boot_ms = 0;
  uint64_t next_cycle_ms = 0;
  uint32_t cycle_count = 0;
  BmsPoller bms;
  Measurements measurements;
  GridEnergy grid_energy;
  LocalClock clock;
  DecisionState decision;
  bool lockout = false;
  bool is_master = false;
  uint16_t reported_bms_alarm_bits = 0;
  bool reported_comm_lost = false;
  NodeTable nodes;
  PackCounters counters;
};

// The node id a factory-fresh unit takes: 0x10 + fnv1a32(serial) % 0x6E,
// FNV-1a over the 6 serial bytes, most significant first.
uint8_t NodeIdFromSerial(uint64_t serial);
uint32_t SerialLow32(uint64_t serial);
uint8_t StatusBits(const PackState& state);
DeviceType SelfType(const PackState& state);

}  // namespace packtwin::firmware
