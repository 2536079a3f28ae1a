#include "packtwin/twin/twin_state.h"

#include "packtwin/firmware/fnv.h"
#include "packtwin/firmware/state_digest.h"

namespace packtwin::twin {

// A field added to these structs without a line below fails to compile here.
// Not digested (as since the first snapshot format): the wall times, first,
// last and per pack.
static_assert(sizeof(RelayView) == 16, "RelayView changed: digest the new field below, then update this size");
static_assert(sizeof(PackView) == 128, "PackView changed: digest the new field below, then update this size");
static_assert(sizeof(TwinState) == 6512, "TwinState changed: digest the new field below, then update this size");

uint64_t TwinDigest(const TwinState& state) {
  firmware::Digest64 d;
  d.Put64(firmware::StateDigest(state.fleet));
  d.Put64(state.events);
  d.Put64(state.last_seq);
  d.Put64(state.bad_length_frames);
  for (const auto& [node, p] : state.packs) {
    d.Put8(node);
    d.PutBool(p.has_batt);
    d.Put16(p.pack_cV);
    d.Put16(static_cast<uint16_t>(p.current_cA));
    d.Put8(p.soc);
    d.Put8(p.relays);
    d.Put8(p.modes);
    d.Put8(p.status);
    d.PutBool(p.has_power);
    for (int16_t w : {p.p_grid_W, p.p_home_W, p.p_batt_W, p.p_solar_W, p.p_pool_W, p.p_heater_W}) {
      d.Put16(static_cast<uint16_t>(w));
    }
    d.PutBool(p.has_loads);
    d.Put16(p.grid_today_Wh10);
    d.Put8(p.grid_budget_kWh);
    d.Put8(p.eco_limit_100W);
    for (const auto& r : p.relay) {
      d.PutBool(r.known);
      d.PutBool(r.closed);
      d.Put8(r.cause);
      d.Put64(r.changed_seq);
    }
    for (bool a : p.alarm_active) d.PutBool(a);
    d.Put16(p.bms_alarm_bits);
    d.Put64(p.last_seq);
  }
  return d.value();
}

}  // namespace packtwin::twin
