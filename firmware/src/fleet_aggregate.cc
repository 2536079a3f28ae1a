#include "packtwin/firmware/fleet_aggregate.h"

#include "packtwin/firmware/saturate.h"

namespace packtwin::firmware {
FleetFrame ComputeFleetAggregate(const NodeTable& table, uint64_t now_ms, const SelfFigures& self) {
  uint32_t packs = 0;
  uint32_t soc_sum = 0;
  uint32_t soc_count = 0;
  int64_t batt_W = 0;
  int64_t solar_W = 0;
  uint64_t grid_Wh = 0;
  if (self.present) {
    ++packs;
    soc_sum += self.soc;
    ++soc_count;
    batt_W += self.p_batt_W;
    solar_W += self.p_solar_W;
    grid_Wh += self.grid_today_Wh;
  }
  for (uint8_t node = 1; node < kNodeSlots - 1; ++node) {
    const NodeEntry& entry = table.nodes[node];
    if (self.present && node == self.node) continue;
    if (!IsLive(entry, now_ms) || entry.device_type != static_cast<uint8_t>(DeviceType::kEnergyPack)) continue;
    ++packs;
    if (entry.has_batt) {
      soc_sum += entry.soc;
      ++soc_count;
    }
    if (entry.has_power) {
      batt_W += entry.p_batt_W;
      solar_W += entry.p_solar_W;
    }
    if (entry.has_loads) grid_Wh += static_cast<uint64_t>(entry.grid_today_Wh10) * 10u;
  }
  FleetFrame out;
  out.node = self.node;
  out.packs_online = static_cast<uint8_t>(packs > 126 ? 126 : packs);
  out.avg_soc = static_cast<uint8_t>(soc_count == 0 ? 0 : soc_sum / soc_count);
  out.p_batt_total_10W = Saturate16(batt_W / 10);
  out.p_solar_total_10W = Saturate16(solar_W / 10);
  out.grid_today_total_100Wh = SaturateU16(grid_Wh / 100u);
  return out;
}

}  // namespace packtwin::firmware
