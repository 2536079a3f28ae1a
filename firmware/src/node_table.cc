#include "packtwin/firmware/node_table.h"

namespace packtwin::firmware {

void RecordHeartbeat(NodeEntry* entry, const HeartbeatFrame& hb, uint64_t now_ms) {
  entry->present = true;
  entry->device_type = hb.device_type;
  entry->fw_major = hb.fw_major;
  entry->fw_minor = hb.fw_minor;
  entry->role = hb.role;
  entry->serial_lo = hb.serial_lo;
  entry->last_heartbeat_ms = now_ms;
}

void RecordTelBatt(NodeEntry* entry, const TelBattFrame& batt) {
  entry->has_batt = true;
  entry->soc = batt.soc;
  entry->status = batt.status;
}

void RecordTelPower(NodeEntry* entry, const TelPowerFrame& power) {
  entry->has_power = true;
  entry->p_batt_W = power.p_batt_W;
  entry->p_solar_W = power.p_solar_W;
}

void RecordTelLoads(NodeEntry* entry, const TelLoadsFrame& loads) {
  entry->has_loads = true;
  entry->grid_today_Wh10 = loads.grid_today_Wh10;
}

uint8_t ElectMaster(const NodeTable& table, uint64_t now_ms, uint8_t self, DeviceType self_type) {
  uint8_t best_gateway = 0;
  uint8_t best_pack = 0;
  for (uint8_t node = 1; node < kNodeSlots - 1; ++node) {
    const NodeEntry& entry = table.nodes[node];
    const bool is_self = node == self;
    if (!is_self && !IsLive(entry, now_ms)) continue;
    const auto type = is_self ? self_type : static_cast<DeviceType>(entry.device_type);
    if (type == DeviceType::kEnergyGateway) best_gateway = node;  // ascending: the last is the highest
    if (type == DeviceType::kEnergyPack) best_pack = node;
  }
  return best_gateway != 0 ? best_gateway : best_pack;
}

}  // namespace packtwin::firmware
