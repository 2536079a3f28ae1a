#include "pack_actions.h"

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/saturate.h"

namespace packtwin::firmware {
void SendFrame(const CanFrame& frame, Effects* effects) { effects->Add(EffectKind::kCanSend).frame = frame; }

void SendHeartbeat(const PackState& state, Effects* effects) {
  HeartbeatFrame hb;
  hb.node = state.settings.node_id;
  hb.device_type = state.settings.device_type;
  hb.fw_major = kFirmwareMajor;
  hb.fw_minor = kFirmwareMinor;
  hb.role = static_cast<uint8_t>(state.is_master ? Role::kMaster : Role::kSlave);
  hb.serial_lo = SerialLow32(state.serial);
  SendFrame(EncodeHeartbeat(hb), effects);
}

void SendTelemetry(const PackState& state, Effects* effects) {
  const Measurements& m = state.measurements;
  TelBattFrame batt;
  batt.node = state.settings.node_id;
  batt.pack_cV = SaturateU16(m.pack_mV / 10);
  batt.current_cA = Saturate16(m.current_cA);
  batt.soc = m.soc;
  batt.relays = state.decision.relays;
  batt.modes = state.settings.modes;
  batt.status = StatusBits(state);
  SendFrame(EncodeTelBatt(batt), effects);

  TelPowerFrame power;
  power.node = state.settings.node_id;
  power.p_grid_W = Saturate16(m.p_grid_W);
  power.p_home_W = Saturate16(m.p_home_W);
  power.p_batt_W = Saturate16(m.p_batt_W);
  power.p_solar_W = Saturate16(m.p_solar_W);
  SendFrame(EncodeTelPower(power), effects);

  TelLoadsFrame loads;
  loads.node = state.settings.node_id;
  loads.p_pool_W = Saturate16(m.p_pool_W);
  loads.p_heater_W = Saturate16(m.p_heater_W);
  loads.grid_today_Wh10 = SaturateU16(GridTodayWh(state.grid_energy) / 10);
  loads.grid_budget_kWh = state.settings.grid_budget_kWh;
  loads.eco_limit_100W = static_cast<uint8_t>(state.settings.eco_limit_W / 100);
  SendFrame(EncodeTelLoads(loads), effects);
}

void RaiseAlarm(const PackState& state, AlarmCode code, bool active, Effects* effects) {
  Effect& alarm = effects->Add(EffectKind::kAlarm);
  alarm.alarm = code;
  alarm.active = active;
  AlarmFrame frame;
  frame.node = state.settings.node_id;
  frame.code = static_cast<uint8_t>(code);
  frame.active = active ? 1 : 0;
  frame.bms_alarm_bits = state.measurements.bms_alarm_bits;
  frame.temp_dC = state.measurements.temp_dC;
  SendFrame(EncodeAlarm(frame), effects);
}

void WriteSetting(PackState* state, StoredSetting setting, Effects* effects) {
  effects->Add(EffectKind::kStorageWrite).setting = setting;
  ++state->counters.storage_writes_today;
}

void EnterLockout(PackState* state, Effects* effects) {
  if (state->lockout) return;
  state->lockout = true;
  RaiseAlarm(*state, AlarmCode::kLockout, true, effects);
}

void EndLockout(PackState* state, Effects* effects) {
  if (!state->lockout) return;
  state->lockout = false;
  RaiseAlarm(*state, AlarmCode::kLockout, false, effects);
}

void SetRelay(uint8_t relay, bool closed, RelayCause cause, uint8_t relays_after, const PackState& state,
              Effects* effects) {
  Effect& set = effects->Add(EffectKind::kRelaySet);
  set.relay = relay;
  set.closed = closed;
  set.cause = cause;
  RelayEvtFrame evt;
  evt.node = state.settings.node_id;
  evt.relay = relay;
  evt.closed = closed ? 1 : 0;
  evt.cause = static_cast<uint8_t>(cause);
  evt.relays_after = relays_after;
  SendFrame(EncodeRelayEvt(evt), effects);
}

DecisionInputs DecisionInputsFor(const PackState& state, uint64_t now_ms) {
  DecisionInputs in;
  in.modes = state.settings.modes;
  in.lockout = state.lockout;
  in.soc = state.measurements.soc;
  in.p_home_W = state.measurements.p_home_W;
  in.p_pool_W = state.measurements.p_pool_W;
  in.p_heater_W = state.measurements.p_heater_W;
  in.eco_limit_W = state.settings.eco_limit_W;
  in.time_synced = state.clock.synced;
  in.local_hour = state.clock.synced ? LocalHour(state.clock, now_ms) : 0;
  in.tou_start_h = state.settings.tou_start_h;
  in.tou_end_h = state.settings.tou_end_h;
  in.now_ms = now_ms;
  return in;
}

}  // namespace packtwin::firmware
