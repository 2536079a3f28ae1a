// App commands to COMMAND frames, ACKs to results, and the 60 s memory of
// command ids that makes a redelivered command harmless (bridge-mqtt.md,
// Commands).
#include "bridge_commands.h"

namespace packtwin::firmware {
namespace {

CommandFrame CanCommandOf(const BridgeCommand& command, bool mode_value_defect);

}  // namespace

CommandFrame BridgeCommandFrame(const BridgeCommand& command) { return CanCommandOf(command, false); }

namespace {

CommandFrame CanCommandOf(const BridgeCommand& command, bool mode_value_defect) {
  CommandFrame frame;
  frame.node = command.node;
  switch (command.name) {
    case BridgeCommandName::kMode:
      frame.cmd = static_cast<uint8_t>(Command::kSetMode);
      frame.args[0] = command.mode;
      // Defect 1: bridge 1.0 reads `value`, which the app never sends.
      frame.args[1] = (command.on && !mode_value_defect) ? 1 : 0;
      frame.args_len = 2;
      break;
    case BridgeCommandName::kEcoLimit:
      frame.cmd = static_cast<uint8_t>(Command::kSetEcoLimit);
      frame.args[0] = static_cast<uint8_t>(command.watts & 0xFF);
      frame.args[1] = static_cast<uint8_t>(command.watts >> 8);
      frame.args_len = 2;
      break;
    case BridgeCommandName::kGridBudget:
      frame.cmd = static_cast<uint8_t>(Command::kSetGridBudget);
      frame.args[0] = command.kwh;
      frame.args_len = 1;
      break;
    case BridgeCommandName::kTouWindow:
      frame.cmd = static_cast<uint8_t>(Command::kSetTouWindow);
      frame.args[0] = command.start_h;
      frame.args[1] = command.end_h;
      frame.args_len = 2;
      break;
    case BridgeCommandName::kRelay:
      frame.cmd = static_cast<uint8_t>(Command::kSetRelay);
      frame.args[0] = command.relay;
      frame.args[1] = command.relay_state;
      frame.args_len = 2;
      break;
    case BridgeCommandName::kResetGridEnergy:
      frame.cmd = static_cast<uint8_t>(Command::kResetGridEnergy);
      break;
    case BridgeCommandName::kRequestStatus:
      frame.cmd = static_cast<uint8_t>(Command::kRequestStatus);
      break;
  }
  return frame;
}

BridgeRemembered* FindRemembered(BridgeState* state, const BridgeCommandId& id, uint64_t now_ms) {
  for (BridgeRemembered& r : state->remembered) {
    if (r.used && now_ms <= r.seen_ms + kBridgeIdMemoryMs && r.id.Equals(id)) return &r;
  }
  return nullptr;
}

BridgeRemembered& Remember(BridgeState* state, const BridgeCommandId& id, uint64_t now_ms) {
  // The oldest entry goes: 32 ids in 60 s is more than an app sends.
  BridgeRemembered& r = state->remembered[state->remembered_next];
  state->remembered_next = static_cast<uint8_t>((state->remembered_next + 1) % kBridgeRememberedIds);
  r = BridgeRemembered{};
  r.used = true;
  r.id = id;
  r.seen_ms = now_ms;
  return r;
}

void PublishResult(const BridgeResult& result, const BridgeClock& clock, BridgeOutputs* out) {
  BridgePublication& p = out->Publish(BridgeTopic::kResult, false, clock.wall_ms);
  p.result = result;
}

BridgeResult Settle(const BridgePending& pending) {
  BridgeResult result;
  result.has_id = true;
  result.id = pending.id;
  result.seq = pending.seq;
  result.expected = pending.expected;
  uint16_t expected = 0;
  uint16_t ok = 0;
  for (uint8_t node = 0; node < kNodeSlots; ++node) {
    result.ack[node] = pending.ack[node];
    if (!pending.expected.Has(node)) continue;
    ++expected;
    if (pending.ack[node] == static_cast<uint8_t>(AckStatus::kOk) + 1) ++ok;
  }
  result.status = (expected > 0 && ok == expected) ? BridgeResultStatus::kOk
                  : ok > 0                         ? BridgeResultStatus::kPartial
                                                   : BridgeResultStatus::kFailed;
  return result;
}

void Refuse(const BridgeCommand& command, const char* why, const BridgeClock& clock, BridgeOutputs* out) {
  BridgeResult result;
  result.has_id = true;
  result.id = command.id;
  result.status = BridgeResultStatus::kFailed;
  result.error.Set(why);
  PublishResult(result, clock, out);
}

}  // namespace

void BridgeRecordAck(BridgeState* state, const AckFrame& ack) {
  for (BridgePending& pending : state->pending) {
    if (pending.used && pending.cmd == ack.cmd && pending.seq == ack.seq) {
      if (pending.ack[ack.node] == 0) pending.ack[ack.node] = static_cast<uint8_t>(ack.status + 1);
      return;
    }
  }
}

void BridgePublishDueResults(BridgeState* state, const BridgeClock& clock, BridgeOutputs* out) {
  for (uint8_t slot = 0; slot < kBridgePendingSlots; ++slot) {
    BridgePending& pending = state->pending[slot];
    if (!pending.used || clock.now_ms < pending.due_ms) continue;
    const BridgeResult result = Settle(pending);
    PublishResult(result, clock, out);
    for (BridgeRemembered& r : state->remembered) {
      if (r.used && !r.has_result && r.pending_slot == slot && r.id.Equals(pending.id)) {
        r.has_result = true;
        r.result = result;
      }
    }
    pending.used = false;
  }
}

void BridgeOnCommand(BridgeState* state, const BridgeCommand& command, const BridgeClock& clock, BridgeOutputs* out) {
  const bool dedupe = !(state->config.defects & kBridgeDefectResendsRedelivered);
  if (dedupe) {
    if (BridgeRemembered* seen = FindRemembered(state, command.id, clock.now_ms); seen != nullptr) {
      // A redelivery (MQTT QoS 1): its result again, once it has one; never CAN again.
      if (seen->has_result) PublishResult(seen->result, clock, out);
      return;
    }
  }
  uint8_t slot = kBridgePendingSlots;
  for (uint8_t i = 0; i < kBridgePendingSlots && slot == kBridgePendingSlots; ++i) {
    if (!state->pending[i].used) slot = i;
  }
  if (slot == kBridgePendingSlots) {
    Refuse(command, "busy: 16 commands await their acks; send it again in 2.5 s", clock, out);
    return;
  }
  CommandFrame frame = CanCommandOf(command, state->config.defects & kBridgeDefectModeValueKey);
  const bool broadcast = command.node == kBroadcastNodeId;
  // Defect 2: bridge 1.0 addressed "all packs" to the master alone.
  if (broadcast && (state->config.defects & kBridgeDefectCommandsToMaster) && state->fleet.master != 0) {
    frame.node = state->fleet.master;
  }
  frame.seq = state->next_seq++;
  out->Send(EncodeCommand(frame));
  BridgePending& pending = state->pending[slot];
  pending = BridgePending{};
  pending.used = true;
  pending.id = command.id;
  pending.cmd = frame.cmd;
  pending.seq = frame.seq;
  pending.due_ms = clock.now_ms + kBridgeResultWaitMs;
  // The packs live now among those the app addressed answer it.
  for (uint8_t node = kFirstNodeId; node <= kLastNodeId; ++node) {
    const NodeEntry& entry = EntryOf(state->fleet.nodes, node);
    const bool addressed = broadcast || node == command.node;
    if (addressed && IsLive(entry, clock.now_ms) && entry.device_type == static_cast<uint8_t>(DeviceType::kEnergyPack)) {
      pending.expected.Add(node);
    }
  }
  BridgeRemembered& remembered = Remember(state, command.id, clock.now_ms);
  remembered.pending_slot = slot;
}

void BridgeOnInvalidCommand(BridgeState* /*state*/, const BridgeInvalid& invalid, const BridgeClock& clock,
                            BridgeOutputs* out) {
  BridgeResult result;
  result.has_id = invalid.has_id;
  result.id = invalid.id;
  result.status = BridgeResultStatus::kInvalid;
  result.error = invalid.error;
  result.topic = invalid.topic;
  PublishResult(result, clock, out);
}

}  // namespace packtwin::firmware
