#include "packtwin/firmware/node_table.h"

namespace packtwin::firmware {

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
