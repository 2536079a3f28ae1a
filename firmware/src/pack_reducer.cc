#include "packtwin/firmware/pack_reducer.h"

#include "commands.h"
#include "pack_actions.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/fleet_aggregate.h"

namespace packtwin::firmware {
namespace {

enum class Duty : uint8_t { kBmsTimeout, kBmsRetry, kDailyReset, kControlCycle };

void SendBmsRequest(Effects* effects) { BuildBmsRequest(effects->Add(EffectKind::kModbusSend).modbus); }

// Reports BMS_COMM_LOST when the poller's verdict changed.
void ReportCommLoss(PackState* state, Effects* effects) {
  if (state->bms.comm_lost == state->reported_comm_lost) return;
  state->reported_comm_lost = state->bms.comm_lost;
  RaiseAlarm(*state, AlarmCode::kBmsCommLost, state->bms.comm_lost, effects);
}

// The earliest duty; on a tie the order of the enum wins. The daily reset and
// the control cycle are always scheduled, so there is always one.
Duty NextDuty(const PackState& state, uint64_t* deadline_ms) {
  Duty duty = Duty::kControlCycle;
  uint64_t best = UINT64_MAX;
  auto consider = [&](bool armed, uint64_t at, Duty candidate) {
    if (armed && at < best) {
      best = at;
      duty = candidate;
    }
  };
  consider(state.bms.outstanding, state.bms.timeout_at_ms, Duty::kBmsTimeout);
  consider(state.bms.retry_pending, state.bms.retry_at_ms, Duty::kBmsRetry);
  consider(true, ResetDeadlineMs(state.clock), Duty::kDailyReset);
  consider(true, state.next_cycle_ms, Duty::kControlCycle);
  *deadline_ms = best;
  return duty;
}

void DailyReset(PackState* state, uint64_t at_ms, Effects* effects) {
  ResetGridEnergy(&state->grid_energy);
  EndLockout(state, effects);
  state->counters.storage_writes_today = 0;
  ++state->counters.daily_resets;
  ScheduleNextReset(&state->clock, at_ms);
}

void SendFleet(const PackState& state, uint64_t at_ms, Effects* effects) {
  SelfFigures self;
  self.present = true;
  self.node = state.settings.node_id;
  self.soc = state.measurements.soc;
  self.p_batt_W = state.measurements.p_batt_W;
  self.p_solar_W = state.measurements.p_solar_W;
  self.grid_today_Wh = GridTodayWh(state.grid_energy);
  SendFrame(EncodeFleet(ComputeFleetAggregate(state.nodes, at_ms, self)), effects);
}

// Measurements are current; decide every relay, then report.
void ControlCycle(PackState* state, uint64_t at_ms, Effects* effects) {
  const uint64_t budget_Wh = static_cast<uint64_t>(state->settings.grid_budget_kWh) * 1000u;
  if ((state->settings.modes & kModeGridLimit) != 0 && GridTodayWh(state->grid_energy) >= budget_Wh) {
    EnterLockout(state, effects);
  }
  Decision decision;
  DecideRelays(&state->decision, DecisionInputsFor(*state, at_ms), &decision);
  for (uint8_t i = 0; i < decision.count; ++i) {
    const RelayChange& change = decision.changes[i];
    SetRelay(change.relay, change.closed, change.cause, change.relays_after, *state, effects);
  }
  if (decision.overload_changed) RaiseAlarm(*state, AlarmCode::kEcoOverload, state->decision.eco.overload, effects);

  const bool listened = at_ms >= state->boot_ms + kBootListenMs;
  state->is_master =
      listened && ElectMaster(state->nodes, at_ms, state->settings.node_id, SelfType(*state)) == state->settings.node_id;
  SendTelemetry(*state, effects);
  if (state->is_master) SendFleet(*state, at_ms, effects);
  ++state->cycle_count;
  if (state->cycle_count % kHeartbeatEveryCycles == 0) SendHeartbeat(*state, effects);

  StartPollCycle(&state->bms, at_ms);
  SendBmsRequest(effects);
  state->next_cycle_ms += kCycleMs;
}

uint8_t NextFreeNodeId(const PackState& state, uint64_t now_ms) {
  constexpr uint8_t kSpan = kLastAutoNodeId - kFirstAutoNodeId + 1;
  const uint8_t own = state.settings.node_id;
  const uint8_t offset = static_cast<uint8_t>(own >= kFirstAutoNodeId ? own - kFirstAutoNodeId : 0);
  for (uint8_t step = 1; step <= kSpan; ++step) {
    const auto candidate = static_cast<uint8_t>(kFirstAutoNodeId + (offset + step) % kSpan);
    if (candidate != own && !IsLive(state.nodes.nodes[candidate], now_ms)) return candidate;
  }
  return own;  // every id taken: keep ours rather than invent one
}

// Same id, different serial: the numerically lower serial keeps the id. The
// heartbeat carries only the low 32 bits, so those are what is compared.
void ResolveIdConflict(PackState* state, const HeartbeatFrame& hb, uint64_t now_ms, Effects* effects) {
  if (SerialLow32(state->serial) < hb.serial_lo) return;  // we keep it; the other moves
  const uint8_t old_id = state->settings.node_id;
  const uint8_t new_id = NextFreeNodeId(*state, now_ms);
  if (new_id == old_id) return;
  RaiseAlarm(*state, AlarmCode::kNodeIdConflict, true, effects);
  state->settings.node_id = new_id;
  WriteSetting(state, StoredSetting::kNodeId, effects);
  state->is_master = false;
  SendHeartbeat(*state, effects);
}

void OnHeartbeat(PackState* state, const HeartbeatFrame& hb, uint64_t now_ms, Effects* effects) {
  if (hb.node == state->settings.node_id) {
    if (hb.serial_lo != SerialLow32(state->serial)) ResolveIdConflict(state, hb, now_ms, effects);
    if (hb.node == state->settings.node_id) return;  // still ours: no entry for the other
  }
  RecordHeartbeat(&state->nodes.nodes[hb.node], hb, now_ms);
}

void OnTime(PackState* state, const TimeFrame& time, uint64_t now_ms, Effects* effects) {
  if (!TimeFrameValid(time)) {
    ++state->counters.time_invalid;
    RaiseAlarm(*state, AlarmCode::kTimeInvalid, true, effects);
    return;
  }
  ApplyTime(&state->clock, time, now_ms);
}

void OnCommand(PackState* state, const CommandFrame& command, uint64_t now_ms, Effects* effects) {
  if (command.node != state->settings.node_id && command.node != kBroadcastNodeId) return;
  bool send_status = false;
  const AckStatus status = HandleCommand(state, command, now_ms, effects, &send_status);
  SendFrame(EncodeAck({state->settings.node_id, command.cmd, command.seq, static_cast<uint8_t>(status)}), effects);
  if (send_status) SendTelemetry(*state, effects);
}

// Counts a frame that failed its table check; true when it may be used.
bool Accept(PackState* state, DecodeStatus status) {
  if (status == DecodeStatus::kBadLength) ++state->counters.bad_length_frames;
  if (status == DecodeStatus::kOutOfRange) ++state->counters.out_of_range_frames;
  return status == DecodeStatus::kOk;
}

// Another pack's telemetry, kept for the FLEET aggregate; our own echo is not.
NodeEntry* OtherPack(PackState* state, uint8_t node) {
  return node == state->settings.node_id ? nullptr : &state->nodes.nodes[node];
}

}  // namespace

void PackBoot(PackState* state, uint64_t serial, const PackSettings& stored, uint64_t now_ms, Effects* effects) {
  *state = PackState{};
  state->serial = serial & 0xFFFFFFFFFFFFull;
  state->boot_ms = now_ms;
  state->settings = stored;
  if (!stored.valid) {
    state->settings = PackSettings{};
    state->settings.valid = true;
    state->settings.node_id = NodeIdFromSerial(state->serial);
    WriteSetting(state, StoredSetting::kNodeId, effects);
    WriteSetting(state, StoredSetting::kDeviceType, effects);
  }
  StartClock(&state->clock, now_ms);
  // Energy today is not stored: with the import limit on, the pack cannot
  // know it had budget left, so it starts locked out until the next reset.
  state->lockout = (state->settings.modes & kModeGridLimit) != 0;
  state->decision.relays = state->lockout ? 0x0E : 0x0F;
  for (uint8_t relay = 0; relay < kRelayCount; ++relay) {
    SetRelay(relay, (state->decision.relays >> relay) & 1u, RelayCause::kBoot, state->decision.relays, *state, effects);
  }
  if (state->lockout) RaiseAlarm(*state, AlarmCode::kLockout, true, effects);
  SendHeartbeat(*state, effects);
  state->next_cycle_ms = now_ms + kCycleMs;
  StartPollCycle(&state->bms, now_ms);
  SendBmsRequest(effects);
}

uint64_t PackNextDeadlineMs(const PackState& state) {
  uint64_t deadline = 0;
  NextDuty(state, &deadline);
  return deadline;
}

bool PackRunDue(PackState* state, uint64_t now_ms, Effects* effects) {
  uint64_t at_ms = 0;
  const Duty duty = NextDuty(*state, &at_ms);
  if (at_ms > now_ms) return false;
  switch (duty) {
    case Duty::kBmsTimeout:
      OnBmsTimeout(&state->bms);
      ReportCommLoss(state, effects);
      break;
    case Duty::kBmsRetry:
      StartRetry(&state->bms, at_ms);
      SendBmsRequest(effects);
      break;
    case Duty::kDailyReset:
      DailyReset(state, at_ms, effects);
      break;
    case Duty::kControlCycle:
      ControlCycle(state, at_ms, effects);
      break;
  }
  return true;
}

void PackOnCanFrame(PackState* state, const CanFrame& frame, uint64_t now_ms, Effects* effects) {
  const CanV1Id id = ClassifyCanV1Id(frame.id, frame.extended, frame.remote, frame.error);
  if (!id.valid) return;  // exact ids only: nothing else is ours
  switch (id.function) {
    case CanFunction::kHeartbeat: {
      HeartbeatFrame hb;
      if (Accept(state, DecodeHeartbeat(frame, &hb))) OnHeartbeat(state, hb, now_ms, effects);
      break;
    }
    case CanFunction::kTime: {
      TimeFrame time;
      if (Accept(state, DecodeTime(frame, &time))) OnTime(state, time, now_ms, effects);
      break;
    }
    case CanFunction::kCommand: {
      CommandFrame command;
      if (Accept(state, DecodeCommand(frame, &command))) OnCommand(state, command, now_ms, effects);
      break;
    }
    case CanFunction::kTelBatt: {
      TelBattFrame batt;
      NodeEntry* entry = Accept(state, DecodeTelBatt(frame, &batt)) ? OtherPack(state, batt.node) : nullptr;
      if (entry != nullptr) RecordTelBatt(entry, batt);
      break;
    }
    case CanFunction::kTelPower: {
      TelPowerFrame power;
      NodeEntry* entry = Accept(state, DecodeTelPower(frame, &power)) ? OtherPack(state, power.node) : nullptr;
      if (entry != nullptr) RecordTelPower(entry, power);
      break;
    }
    case CanFunction::kTelLoads: {
      TelLoadsFrame loads;
      NodeEntry* entry = Accept(state, DecodeTelLoads(frame, &loads)) ? OtherPack(state, loads.node) : nullptr;
      if (entry != nullptr) RecordTelLoads(entry, loads);
      break;
    }
    // ALARM, FLEET, ACK and RELAY_EVT of others: checked and counted, not acted on.
    case CanFunction::kAlarm: {
      AlarmFrame alarm;
      Accept(state, DecodeAlarm(frame, &alarm));
      break;
    }
    case CanFunction::kFleet: {
      FleetFrame fleet;
      Accept(state, DecodeFleet(frame, &fleet));
      break;
    }
    case CanFunction::kAck: {
      AckFrame ack;
      Accept(state, DecodeAck(frame, &ack));
      break;
    }
    case CanFunction::kRelayEvt: {
      RelayEvtFrame evt;
      Accept(state, DecodeRelayEvt(frame, &evt));
      break;
    }
  }
}

void PackOnBmsBytes(PackState* state, const uint8_t* bytes, size_t len, uint64_t now_ms, Effects* effects) {
  BmsReply reply;
  const PollEvent event = OnBmsBytes(&state->bms, bytes, len, now_ms, &reply);
  if (event == PollEvent::kGoodReply) {
    const BmsRegisters& r = reply.registers;
    ApplyBmsRegisters(&state->measurements, r.voltage_dV, r.current_cA, r.alarm_bits, r.temp_dC);
    if (r.alarm_bits != state->reported_bms_alarm_bits) {
      state->reported_bms_alarm_bits = r.alarm_bits;
      RaiseAlarm(*state, AlarmCode::kBmsAlarmBits, r.alarm_bits != 0, effects);
    }
  }
  ReportCommLoss(state, effects);
}

void PackOnCtSample(PackState* state, const CtSample& sample, uint64_t now_ms, Effects* /*effects*/) {
  ApplyCtSample(&state->measurements, sample);
  IntegrateGrid(&state->grid_energy, state->measurements.p_grid_W, now_ms);
}

}  // namespace packtwin::firmware
