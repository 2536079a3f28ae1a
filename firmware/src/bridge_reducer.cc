// The bridge's CAN side and timers: HEARTBEAT and TIME, the node table and
// master through the fleet reducer, and the publications CAN frames cause.
#include "packtwin/firmware/bridge_reducer.h"

#include "bridge_commands.h"
#include "packtwin/firmware/fleet_aggregate.h"

namespace packtwin::firmware {
namespace {

// A clock not yet set is looked at again every second (TIME goes as soon as it is).
constexpr uint64_t kBridgeUnsetClockRetryMs = 1'000;

void SendHeartbeat(const BridgeState& state, BridgeOutputs* out) {
  HeartbeatFrame hb;
  hb.node = state.config.node;
  hb.device_type = static_cast<uint8_t>(DeviceType::kBridge);
  hb.fw_major = state.config.fw_major;
  hb.fw_minor = state.config.fw_minor;
  hb.role = static_cast<uint8_t>(Role::kObserver);
  hb.serial_lo = state.config.serial_lo;
  out->Send(EncodeHeartbeat(hb));
}

// False while the host's clock is before 2024: a clock that has not been set.
bool SendTime(const BridgeState& state, const BridgeClock& clock, BridgeOutputs* out) {
  if (clock.wall_ms < kBridgeEarliestWallMs) return false;
  TimeFrame time;
  time.node = state.config.node;
  time.unix_s = static_cast<uint32_t>(clock.wall_ms / 1000);
  time.utc_offset_min = clock.utc_offset_min;
  time.flags = clock.ntp_synced ? 1 : 0;
  out->Send(EncodeTime(time));
  return true;
}

// The wall clock moved by more than the monotonic one (either way).
bool ClockStepped(const BridgeState& state, const BridgeClock& clock) {
  if (!state.has_clock) return false;
  const int64_t mono_ms = static_cast<int64_t>(clock.now_ms - state.last_now_ms);
  const int64_t wall_ms = clock.wall_ms - state.last_wall_ms;
  const int64_t drift_ms = wall_ms - mono_ms;
  return drift_ms > kBridgeClockStepMs || drift_ms < -kBridgeClockStepMs;
}

void PublishInfo(BridgeState* state, uint8_t node, bool online, const BridgeClock& clock, BridgeOutputs* out) {
  const NodeEntry& entry = EntryOf(state->fleet.nodes, node);
  BridgePublication& p = out->Publish(BridgeTopic::kInfo, true, clock.wall_ms);
  p.node = node;
  p.online = online;
  p.info.node = node;
  p.info.device_type = entry.device_type;
  p.info.fw_major = entry.fw_major;
  p.info.fw_minor = entry.fw_minor;
  p.info.role = entry.role;
  p.info.serial_lo = entry.serial_lo;
  state->last_role[node] = entry.role;
  state->last_fw[node][0] = entry.fw_major;
  state->last_fw[node][1] = entry.fw_minor;
  state->last_device_type[node] = entry.device_type;
  state->last_serial[node] = entry.serial_lo;
}

void PublishMaster(const BridgeState& state, const BridgeClock& clock, BridgeOutputs* out) {
  BridgePublication& p = out->Publish(BridgeTopic::kMaster, true, clock.wall_ms);
  p.master = state.fleet.master;
}

// The fleet reducer's findings, as the retained info and master topics.
void PublishFindings(BridgeState* state, const FleetFindings& findings, const BridgeClock& clock, BridgeOutputs* out) {
  for (uint8_t i = 0; i < findings.count; ++i) {
    const FleetFinding& f = findings.items[i];
    if (f.kind == FleetFindingKind::kNodeJoined) PublishInfo(state, f.node, true, clock, out);
    if (f.kind == FleetFindingKind::kNodeLeft) PublishInfo(state, f.node, false, clock, out);
    if (f.kind == FleetFindingKind::kMasterChanged) PublishMaster(*state, clock, out);
  }
}

// A live node that changed role, id (serial), type or firmware: info again.
void PublishInfoChange(BridgeState* state, uint8_t node, const BridgeClock& clock, BridgeOutputs* out) {
  const NodeEntry& entry = EntryOf(state->fleet.nodes, node);
  const bool changed = entry.role != state->last_role[node] || entry.fw_major != state->last_fw[node][0] ||
                       entry.fw_minor != state->last_fw[node][1] || entry.device_type != state->last_device_type[node] ||
                       entry.serial_lo != state->last_serial[node];
  if (changed) PublishInfo(state, node, true, clock, out);
}

void PublishTelemetry(BridgeState* state, uint8_t node, const TelLoadsFrame& loads, const BridgeClock& clock,
                      BridgeOutputs* out) {
  BridgePublication& p = out->Publish(BridgeTopic::kTelemetry, false, clock.wall_ms);
  p.node = node;
  p.batt = state->batt[node];
  p.power = state->power[node];
  p.loads = loads;
}

// Bridge 1.0 kept every pack it ever heard in its own aggregate.
FleetFrame AggregateWithoutTtl(const BridgeState& state) {
  NodeTable forever = state.fleet.nodes;
  for (uint8_t node = 1; node < kNodeSlots; ++node) {
    if (forever.nodes[node].present) forever.nodes[node].last_heartbeat_ms = UINT64_MAX - kNodeTtlMs;
  }
  return ComputeFleetAggregate(forever, 0, SelfFigures{});
}

void PublishAggregate(const BridgeState& state, const FleetFrame& fleet, const BridgeClock& clock, BridgeOutputs* out) {
  BridgePublication& p = out->Publish(BridgeTopic::kAggregate, false, clock.wall_ms);
  p.master = fleet.node;
  p.aggregate = (state.config.defects & kBridgeDefectAggregateNoTtl) ? AggregateWithoutTtl(state) : fleet;
  p.aggregate.node = fleet.node;
}

// Defect 3: an ACK frame taken for TEL_BATT by `(id & 0x180) == 0x180`, its
// three bytes read as the first of TEL_BATT's, and published at once.
void MisreadAckAsTelBatt(BridgeState* state, const CanFrame& frame, const BridgeClock& clock, BridgeOutputs* out) {
  const uint8_t node = static_cast<uint8_t>(frame.id & 0x7F);
  uint8_t b[kCanMaxLen] = {};
  for (uint8_t i = 0; i < frame.len && i < kCanMaxLen; ++i) b[i] = frame.data[i];
  TelBattFrame& batt = state->batt[node];
  batt.node = node;
  batt.pack_cV = static_cast<uint16_t>(b[0] | (b[1] << 8));
  batt.current_cA = static_cast<int16_t>(static_cast<uint16_t>(b[2] | (b[3] << 8)));
  batt.soc = b[4];
  batt.relays = b[5];
  batt.modes = b[6];
  batt.status = b[7];
  state->has_batt[node] = true;
  TelLoadsFrame loads;
  loads.node = node;
  PublishTelemetry(state, node, loads, clock, out);
}

void OnPackFrame(BridgeState* state, const CanFrame& frame, CanFunction function, const BridgeClock& clock,
                 BridgeOutputs* out) {
  switch (function) {
    case CanFunction::kTelBatt: {
      TelBattFrame batt;
      if (DecodeTelBatt(frame, &batt) != DecodeStatus::kOk) return;
      state->batt[batt.node] = batt;
      state->has_batt[batt.node] = true;
      return;
    }
    case CanFunction::kTelPower: {
      TelPowerFrame power;
      if (DecodeTelPower(frame, &power) != DecodeStatus::kOk) return;
      state->power[power.node] = power;
      state->has_power[power.node] = true;
      return;
    }
    case CanFunction::kTelLoads: {
      TelLoadsFrame loads;
      if (DecodeTelLoads(frame, &loads) != DecodeStatus::kOk) return;
      // The last of a cycle's three frames: publish the cycle.
      if (state->has_batt[loads.node] && state->has_power[loads.node]) PublishTelemetry(state, loads.node, loads, clock, out);
      return;
    }
    case CanFunction::kRelayEvt: {
      RelayEvtFrame relay;
      if (DecodeRelayEvt(frame, &relay) != DecodeStatus::kOk) return;
      BridgePublication& p = out->Publish(BridgeTopic::kRelay, false, clock.wall_ms);
      p.node = relay.node;
      p.relay = relay;
      return;
    }
    case CanFunction::kAlarm: {
      AlarmFrame alarm;
      if (DecodeAlarm(frame, &alarm) != DecodeStatus::kOk) return;
      BridgePublication& p = out->Publish(BridgeTopic::kAlarm, false, clock.wall_ms);
      p.node = alarm.node;
      p.alarm = alarm;
      return;
    }
    case CanFunction::kFleet: {
      FleetFrame fleet;
      if (DecodeFleet(frame, &fleet) != DecodeStatus::kOk) return;
      if (fleet.node == state->fleet.master) PublishAggregate(*state, fleet, clock, out);
      return;
    }
    case CanFunction::kAck: {
      AckFrame ack;
      if (DecodeAck(frame, &ack) == DecodeStatus::kOk) BridgeRecordAck(state, ack);
      return;
    }
    default:
      return;
  }
}

}  // namespace

void BridgeInit(BridgeState* state, const BridgeConfig& config) {
  *state = BridgeState{};
  state->config = config;
}

void BridgeTick(BridgeState* state, const BridgeClock& clock, BridgeOutputs* out) {
  if (!state->started) {
    state->started = true;
    SendHeartbeat(*state, out);
    state->next_heartbeat_ms = clock.now_ms + kBridgeHeartbeatPeriodMs;
    state->next_time_ms = clock.now_ms + (SendTime(*state, clock, out) ? kBridgeTimePeriodMs : kBridgeUnsetClockRetryMs);
  } else {
    if (clock.now_ms >= state->next_heartbeat_ms) {
      SendHeartbeat(*state, out);
      state->next_heartbeat_ms = clock.now_ms + kBridgeHeartbeatPeriodMs;
    }
    // Due, or the wall clock stepped: TIME now (and the period starts again).
    if (clock.now_ms >= state->next_time_ms || ClockStepped(*state, clock)) {
      state->next_time_ms = clock.now_ms + (SendTime(*state, clock, out) ? kBridgeTimePeriodMs : kBridgeUnsetClockRetryMs);
    }
  }
  state->has_clock = true;
  state->last_now_ms = clock.now_ms;
  state->last_wall_ms = clock.wall_ms;
  FleetFindings findings;
  // Bounded: each pass expires one node of at most kNodeSlots.
  for (uint16_t i = 0; i < kNodeSlots && FleetRunDue(&state->fleet, clock.now_ms, &findings); ++i) {
    PublishFindings(state, findings, clock, out);
    findings.count = 0;
  }
  BridgePublishDueResults(state, clock, out);
}

void BridgeOnCanFrame(BridgeState* state, const CanFrame& frame, const BridgeClock& clock, BridgeOutputs* out) {
  const bool by_mask_as_batt = (state->config.defects & kBridgeDefectTelBattByMask) && !frame.extended && !frame.remote &&
                               !frame.error && (frame.id & 0x180) == 0x180;
  const CanV1Id id = ClassifyCanV1Id(frame.id, frame.extended, frame.remote, frame.error);
  if (by_mask_as_batt && id.valid && id.function == CanFunction::kAck) {
    MisreadAckAsTelBatt(state, frame, clock, out);
    return;
  }
  if (!id.valid) return;
  FleetFindings findings;
  FleetOnCanFrame(&state->fleet, frame, clock.now_ms, &findings);
  PublishFindings(state, findings, clock, out);
  if (id.function == CanFunction::kHeartbeat) {
    if (EntryOf(state->fleet.nodes, id.node).present) PublishInfoChange(state, id.node, clock, out);
    return;
  }
  OnPackFrame(state, frame, id.function, clock, out);
}

// Connected (again): `online`, then the retained state (each live node's info
// and the master) once more: a broker restarted without persistence, or one
// the bridge could not reach when a node joined, has it again.
void BridgeOnMqttConnected(BridgeState* state, const BridgeClock& clock, BridgeOutputs* out) {
  BridgePublication& p = out->Publish(BridgeTopic::kStatus, true, clock.wall_ms);
  p.online = true;
  for (uint8_t node = 1; node < kNodeSlots; ++node) {
    if (state->fleet.announced_live[node]) PublishInfo(state, node, true, clock, out);
  }
  PublishMaster(*state, clock, out);
}

uint64_t BridgeNextDeadlineMs(const BridgeState& state) {
  if (!state.started) return 0;
  uint64_t next = state.next_heartbeat_ms < state.next_time_ms ? state.next_heartbeat_ms : state.next_time_ms;
  const uint64_t expiry = FleetNextDeadlineMs(state.fleet);
  if (expiry < next) next = expiry;
  for (const BridgePending& pending : state.pending) {
    if (pending.used && pending.due_ms < next) next = pending.due_ms;
  }
  return next;
}

}  // namespace packtwin::firmware
