#include "packtwin/firmware/state_digest.h"

#include "packtwin/firmware/fleet_reducer.h"
#include "packtwin/firmware/fnv.h"

namespace packtwin::firmware {
// Each struct's size is asserted beside the code that digests it: a field
// added without being digested fails to compile. The sizes hold on x86-64 and
// on Cortex-M4 (firmware/mcu/build.sh compiles this file for the MCU): every
// field is a fixed-width integer, bool or an enum with a fixed underlying type.
namespace {

static_assert(sizeof(PackSettings) == 10, "PackSettings changed: digest the added field below, then update this size");
void Put(Digest64& d, const PackSettings& s) {
  d.PutBool(s.valid);
  d.Put8(s.node_id);
  d.Put8(s.device_type);
  d.Put8(s.modes);
  d.Put16(s.eco_limit_W);
  d.Put8(s.grid_budget_kWh);
  d.Put8(s.tou_start_h);
  d.Put8(s.tou_end_h);
}

static_assert(sizeof(BmsPoller) == 48, "BmsPoller changed: digest the added field below, then update this size");
void Put(Digest64& d, const BmsPoller& b) {
  d.PutBool(b.outstanding);
  d.Put64(b.timeout_at_ms);
  d.PutBool(b.retry_pending);
  d.Put64(b.retry_at_ms);
  d.Put8(b.attempts);
  d.Put8(b.failed_cycles);
  d.PutBool(b.comm_lost);
  d.Put32(b.good_replies);
  d.Put32(b.failed_attempts);
  d.Put32(b.stray_replies);
}

static_assert(sizeof(Measurements) == 40, "Measurements changed: digest the added field below, then update this size");
void Put(Digest64& d, const Measurements& m) {
  d.Put32(m.pack_mV);
  d.PutI32(m.current_cA);
  d.Put16(m.bms_alarm_bits);
  d.Put16(static_cast<uint16_t>(m.temp_dC));
  d.Put8(m.soc);
  d.PutI32(m.p_grid_W);
  d.PutI32(m.p_home_W);
  d.PutI32(m.p_pool_W);
  d.PutI32(m.p_heater_W);
  d.PutI32(m.p_batt_W);
  d.PutI32(m.p_solar_W);
}

static_assert(sizeof(GridEnergy) == 24, "GridEnergy changed: digest the added field below, then update this size");
void Put(Digest64& d, const GridEnergy& g) {
  d.Put64(g.acc_Wms);
  d.Put64(g.last_sample_ms);
  d.PutI32(g.last_p_grid_W);
  d.PutBool(g.has_sample);
}

static_assert(sizeof(LocalClock) == 40, "LocalClock changed: digest the added field below, then update this size");
void Put(Digest64& d, const LocalClock& c) {
  d.PutBool(c.synced);
  d.PutI64(c.base_local_ms);
  d.Put64(c.base_mono_ms);
  d.PutI64(c.next_reset_local_ms);
  d.Put64(c.next_uptime_reset_ms);
}

static_assert(sizeof(DecisionState) == 56, "DecisionState changed: digest the added field below, then update this size");
void Put(Digest64& d, const DecisionState& s) {
  d.Put8(s.relays);
  for (RelayCause cause : s.cause) d.Put8(static_cast<uint8_t>(cause));
  for (uint8_t manual : s.manual) d.Put8(manual);
  d.PutBool(s.sc_was_on);
  d.PutBool(s.sc_grid_closed);
  d.Put8(s.eco.shed_count);
  for (int32_t remembered : s.eco.remembered_W) d.PutI32(remembered);
  d.PutBool(s.eco.changed_once);
  d.Put64(s.eco.last_change_ms);
  d.PutBool(s.eco.overload);
}

static_assert(sizeof(NodeTable) == kNodeSlots * sizeof(NodeEntry), "NodeTable changed: digest the added field below");
void Put(Digest64& d, const NodeTable& t) {
  for (const NodeEntry& e : t.nodes) {
    d.PutBool(e.present);
    if (!e.present && !e.has_batt && !e.has_power && !e.has_loads) continue;
    d.Put8(e.device_type);
    d.Put8(e.fw_major);
    d.Put8(e.fw_minor);
    d.Put8(e.role);
    d.Put32(e.serial_lo);
    d.Put64(e.last_heartbeat_ms);
    d.PutBool(e.has_batt);
    d.PutBool(e.has_power);
    d.PutBool(e.has_loads);
    d.Put8(e.soc);
    d.Put8(e.status);
    d.Put16(static_cast<uint16_t>(e.p_batt_W));
    d.Put16(static_cast<uint16_t>(e.p_solar_W));
    d.Put16(e.grid_today_Wh10);
  }
}

static_assert(sizeof(PackCounters) == 24, "PackCounters changed: digest the added field below, then update this size");
void Put(Digest64& d, const PackCounters& c) {
  d.Put32(c.bad_length_frames);
  d.Put32(c.out_of_range_frames);
  d.Put32(c.time_invalid);
  d.Put32(c.storage_writes_today);
  d.Put32(c.daily_resets);
  d.Put32(c.commands);
}

}  // namespace

static_assert(sizeof(NodeEntry) == 40, "NodeEntry changed: digest the added field in Put(NodeTable), then update this size");
static_assert(sizeof(EcoState) == 40, "EcoState changed: digest the added field in Put(DecisionState), then update this size");
static_assert(sizeof(PackState) == 5408, "PackState changed: digest the added field below, then update this size");
uint64_t StateDigest(const PackState& state) {
  Digest64 d;
  d.Put64(state.serial);
  Put(d, state.settings);
  d.Put64(state.boot_ms);
  d.Put64(state.next_cycle_ms);
  d.Put32(state.cycle_count);
  Put(d, state.bms);
  Put(d, state.measurements);
  Put(d, state.grid_energy);
  Put(d, state.clock);
  Put(d, state.decision);
  d.PutBool(state.lockout);
  d.PutBool(state.is_master);
  d.Put16(state.reported_bms_alarm_bits);
  d.PutBool(state.reported_comm_lost);
  Put(d, state.nodes);
  Put(d, state.counters);
  return d.value();
}

static_assert(sizeof(FleetState) == 6424, "FleetState changed: digest the added field below, then update this size");
static_assert(sizeof(FleetFrame) == 10, "FleetFrame changed: digest the added field below, then update this size");
uint64_t StateDigest(const FleetState& state) {
  Digest64 d;
  Put(d, state.nodes);
  for (bool live : state.announced_live) d.PutBool(live);
  for (bool sent : state.sent_fleet) d.PutBool(sent);
  for (uint64_t at : state.last_fleet_frame_ms) d.Put64(at);
  d.Put8(state.master);
  d.PutBool(state.has_fleet_frame);
  const FleetFrame& f = state.last_fleet_frame;
  d.Put8(f.node);
  d.Put8(f.packs_online);
  d.Put8(f.avg_soc);
  d.Put16(static_cast<uint16_t>(f.p_batt_total_10W));
  d.Put16(static_cast<uint16_t>(f.p_solar_total_10W));
  d.Put16(f.grid_today_total_100Wh);
  d.Put32(state.bad_length_frames);
  d.Put32(state.out_of_range_frames);
  return d.value();
}

}  // namespace packtwin::firmware
