// The nodes seen on the bus, from their heartbeats, with the telemetry the
// fleet aggregate needs. Indexed by node id: fixed size, no search.
#pragma once

#include <cassert>
#include <cstdint>

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/protocol_v1.h"

namespace packtwin::firmware {

inline constexpr uint64_t kNodeTtlMs = 120'000;  // live while the last heartbeat is at most this old
inline constexpr uint8_t kNodeSlots = 128;

struct NodeEntry {
  bool present = false;
  uint8_t device_type = 0;
  uint8_t fw_major = 0;
  uint8_t fw_minor = 0;
  uint8_t role = 0;  // as claimed in its last heartbeat
  uint32_t serial_lo = 0;
  uint64_t last_heartbeat_ms = 0;
  // Latest telemetry (packs), for the fleet aggregate.
  bool has_batt = false;
  bool has_power = false;
  bool has_loads = false;
  uint8_t soc = 0;
  uint8_t status = 0;
  int16_t p_batt_W = 0;
  int16_t p_solar_W = 0;
  uint16_t grid_today_Wh10 = 0;
};

struct NodeTable {
  NodeEntry nodes[kNodeSlots];
};

// The entry of a node id a decoder accepted (decoders refuse ids beyond the table).
inline NodeEntry& EntryOf(NodeTable* table, uint8_t node) {
  assert(node < kNodeSlots && "a decoded node id is always within the node table");
  return table->nodes[node];
}
inline const NodeEntry& EntryOf(const NodeTable& table, uint8_t node) {
  assert(node < kNodeSlots && "a decoded node id is always within the node table");
  return table.nodes[node];
}

inline bool IsLive(const NodeEntry& entry, uint64_t now_ms) {
  return entry.present && now_ms <= entry.last_heartbeat_ms + kNodeTtlMs;
}

// What a heartbeat or a pack's telemetry tells about its sender.
void RecordHeartbeat(NodeEntry* entry, const HeartbeatFrame& hb, uint64_t now_ms);
void RecordTelBatt(NodeEntry* entry, const TelBattFrame& batt);
void RecordTelPower(NodeEntry* entry, const TelPowerFrame& power);
void RecordTelLoads(NodeEntry* entry, const TelLoadsFrame& loads);

// The master by the rules: a live Energy-Gateway (highest node id), otherwise
// the live Energy-Pack with the highest node id; 0 when there is none.
// `self` (if not 0) counts as a live node of `self_type`.
uint8_t ElectMaster(const NodeTable& table, uint64_t now_ms, uint8_t self, DeviceType self_type);

}  // namespace packtwin::firmware
