#include "packtwin/firmware/fleet_reducer.h"

#include "packtwin/firmware/fleet_aggregate.h"

namespace packtwin::firmware {
namespace {

// Two FLEET senders within two control cycles are two masters.
constexpr uint64_t kFleetOverlapMs = 4000;

void UpdateMaster(FleetState* state, uint64_t now_ms, FleetFindings* findings) {
  const uint8_t master = ElectMaster(state->nodes, now_ms, 0, DeviceType::kEnergyPack);
  if (master == state->master) return;
  state->master = master;
  findings->Add({FleetFindingKind::kMasterChanged, master, 0, 0, 0, now_ms});
}

void CheckTwoMasters(const FleetState& state, uint8_t claimant, uint64_t now_ms, FleetFindings* findings) {
  for (uint8_t node = 1; node < kNodeSlots - 1; ++node) {
    if (node == claimant) continue;
    const NodeEntry& other = state.nodes.nodes[node];
    const bool claims = IsLive(other, now_ms) && other.role == static_cast<uint8_t>(Role::kMaster);
    const bool sends_fleet = state.sent_fleet[node] && now_ms <= state.last_fleet_frame_ms[node] + kFleetOverlapMs;
    if (claims || sends_fleet) {
      findings->Add({FleetFindingKind::kTwoMasters, claimant, node, 0, 0, now_ms});
      return;
    }
  }
}

void OnHeartbeat(FleetState* state, const HeartbeatFrame& hb, uint64_t now_ms, FleetFindings* findings) {
  NodeEntry& entry = EntryOf(&state->nodes, hb.node);
  const bool was_live = IsLive(entry, now_ms);
  if (was_live && entry.serial_lo != hb.serial_lo) {
    findings->Add({FleetFindingKind::kDuplicateNodeId, hb.node, 0, entry.serial_lo, hb.serial_lo, now_ms});
  }
  RecordHeartbeat(&entry, hb, now_ms);
  if (!state->announced_live[hb.node]) {
    state->announced_live[hb.node] = true;
    findings->Add({FleetFindingKind::kNodeJoined, hb.node, 0, hb.serial_lo, 0, now_ms});
  }
  if (hb.role == static_cast<uint8_t>(Role::kMaster)) CheckTwoMasters(*state, hb.node, now_ms, findings);
  UpdateMaster(state, now_ms, findings);
}

void OnFleet(FleetState* state, const FleetFrame& fleet, uint64_t now_ms, FleetFindings* findings) {
  CheckTwoMasters(*state, fleet.node, now_ms, findings);
  state->sent_fleet[fleet.node] = true;
  state->last_fleet_frame_ms[fleet.node] = now_ms;
  state->has_fleet_frame = true;
  state->last_fleet_frame = fleet;
}

void Count(FleetState* state, DecodeStatus status) {
  if (status == DecodeStatus::kBadLength) ++state->bad_length_frames;
  if (status == DecodeStatus::kOutOfRange) ++state->out_of_range_frames;
}

// The earliest node whose heartbeat goes stale, among those announced live.
uint8_t NextToExpire(const FleetState& state, uint64_t* at_ms) {
  uint8_t found = 0;
  *at_ms = UINT64_MAX;
  for (uint8_t node = 1; node < kNodeSlots; ++node) {
    if (!state.announced_live[node]) continue;
    const uint64_t expiry = state.nodes.nodes[node].last_heartbeat_ms + kNodeTtlMs + 1;
    if (expiry < *at_ms) {
      *at_ms = expiry;
      found = node;
    }
  }
  return found;
}

}  // namespace

void FleetOnCanFrame(FleetState* state, const CanFrame& frame, uint64_t now_ms, FleetFindings* findings) {
  const CanV1Id id = ClassifyCanV1Id(frame.id, frame.extended, frame.remote, frame.error);
  if (!id.valid) return;
  switch (id.function) {
    case CanFunction::kHeartbeat: {
      HeartbeatFrame hb;
      const DecodeStatus status = DecodeHeartbeat(frame, &hb);
      Count(state, status);
      if (status == DecodeStatus::kOk) OnHeartbeat(state, hb, now_ms, findings);
      break;
    }
    case CanFunction::kFleet: {
      FleetFrame fleet;
      const DecodeStatus status = DecodeFleet(frame, &fleet);
      Count(state, status);
      if (status == DecodeStatus::kOk) OnFleet(state, fleet, now_ms, findings);
      break;
    }
    case CanFunction::kTelBatt: {
      TelBattFrame batt;
      const DecodeStatus status = DecodeTelBatt(frame, &batt);
      Count(state, status);
      if (status == DecodeStatus::kOk) RecordTelBatt(&EntryOf(&state->nodes, batt.node), batt);
      break;
    }
    case CanFunction::kTelPower: {
      TelPowerFrame power;
      const DecodeStatus status = DecodeTelPower(frame, &power);
      Count(state, status);
      if (status == DecodeStatus::kOk) RecordTelPower(&EntryOf(&state->nodes, power.node), power);
      break;
    }
    case CanFunction::kTelLoads: {
      TelLoadsFrame loads;
      const DecodeStatus status = DecodeTelLoads(frame, &loads);
      Count(state, status);
      if (status == DecodeStatus::kOk) RecordTelLoads(&EntryOf(&state->nodes, loads.node), loads);
      break;
    }
    default:
      break;
  }
}

bool FleetRunDue(FleetState* state, uint64_t now_ms, FleetFindings* findings) {
  uint64_t at_ms = 0;
  const uint8_t node = NextToExpire(*state, &at_ms);
  if (node == 0 || at_ms > now_ms) return false;
  state->announced_live[node] = false;
  findings->Add({FleetFindingKind::kNodeLeft, node, 0, state->nodes.nodes[node].serial_lo, 0, at_ms});
  UpdateMaster(state, at_ms, findings);
  return true;
}

uint64_t FleetNextDeadlineMs(const FleetState& state) {
  uint64_t at_ms = 0;
  return NextToExpire(state, &at_ms) == 0 ? UINT64_MAX : at_ms;
}

FleetFrame FleetAggregate(const FleetState& state, uint64_t now_ms) {
  FleetFrame out = ComputeFleetAggregate(state.nodes, now_ms, SelfFigures{});
  out.node = state.master;
  return out;
}

}  // namespace packtwin::firmware
