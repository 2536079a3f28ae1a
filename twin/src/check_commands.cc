// Rules `missing-ack` and `acted-on-non-command` (can-protocol.md: Commands,
// ids matched exactly): every live pack a command is for ACKs it within the
// allowance, and no ACK answers a frame that was not a COMMAND.
#include <fmt/format.h>

#include <algorithm>

#include "check_family.h"
#include "packtwin/firmware/protocol_v1.h"
#include "packtwin/twin/names.h"

namespace packtwin::twin::check {
namespace {

class CommandsFamily : public CheckFamily {
 public:
  explicit CommandsFamily(CheckContext& context) : context_(context), commands_(context.pending_commands) {}

  void OnEvent(const TypedEvent& typed, const TwinState& state) override {
    Expire(typed.wall_ns);
    if (!typed.frame || !typed.id.valid) return;
    if (const auto* ack = typed.As<firmware::AckFrame>()) OnAck(typed, *ack);
    if (const auto* command = typed.As<firmware::CommandFrame>()) OnCommand(typed, *command, state);
    // What a pack that matched ids by mask (field defect 5) would take for a
    // command: the first two bytes of any other frame but an ACK.
    const firmware::CanFrame& frame = *typed.frame;
    if (typed.id.function != firmware::CanFunction::kCommand && typed.id.function != firmware::CanFunction::kAck &&
        frame.len >= 2) {
      recent_[static_cast<size_t>(frame.data[0]) << 8 | frame.data[1]] = {true, typed.seq, typed.wall_ns};
    }
  }

  void Finish(int64_t end_ns) override { Expire(end_ns + kDecisionAllowanceNs + 1); }

 private:
  // The last frame (seq, time) whose first two bytes were (b0, b1), indexed
  // b0 << 8 | b1: a flat table, as every frame of a log updates it.
  struct Recent {
    bool seen = false;
    uint64_t seq = 0;
    int64_t wall_ns = 0;
  };

  void Expire(int64_t now_ns) {
    for (auto it = commands_.begin(); it != commands_.end();) {
      if (now_ns - it->wall_ns <= kDecisionAllowanceNs) {
        ++it;
        continue;
      }
      for (uint8_t node : it->expected_acks) {
        if (std::find(it->acked.begin(), it->acked.end(), node) != it->acked.end()) continue;
        context_.flag(it->wall_ns + kDecisionAllowanceNs, node, "missing-ack",
                      fmt::format("an ACK of {} (seq {}) from {}", CommandName(it->command.cmd), it->command.seq,
                                  NodeName(node)),
                      "no ACK within 2.5 s", {it->seq});
      }
      it = commands_.erase(it);
    }
  }

  void OnCommand(const TypedEvent& typed, const firmware::CommandFrame& f, const TwinState& state) {
    PendingCommand pending{f, typed.wall_ns, typed.seq, {}, {}};
    // Every live pack acks a broadcast; an addressed pack acks its own.
    for (uint8_t node = 1; node < firmware::kNodeSlots - 1; ++node) {
      const auto& e = firmware::EntryOf(state.fleet.nodes, node);
      const bool pack = e.device_type == static_cast<uint8_t>(firmware::DeviceType::kEnergyPack);
      if (pack && firmware::IsLive(e, TwinMs(typed.wall_ns)) &&
          (f.node == firmware::kBroadcastNodeId || f.node == node)) {
        pending.expected_acks.push_back(node);
      }
    }
    commands_.push_back(std::move(pending));
  }

  void OnAck(const TypedEvent& typed, const firmware::AckFrame& f) {
    for (auto& c : commands_) {
      if (c.command.cmd == f.cmd && c.command.seq == f.seq &&
          (c.command.node == f.node || c.command.node == firmware::kBroadcastNodeId)) {
        c.acked.push_back(f.node);
        return;
      }
    }
    // Acting on a frame that is not a COMMAND: the 2.5 firmware's id mask.
    std::vector<uint64_t> evidence{typed.seq};
    std::string observed = fmt::format("an ACK of {} (seq {}) with no COMMAND sent", CommandName(f.cmd), f.seq);
    const Recent& source = recent_[static_cast<size_t>(f.cmd) << 8 | f.seq];
    if (source.seen && typed.wall_ns - source.wall_ns <= kDecisionAllowanceNs) {
      evidence.insert(evidence.begin(), source.seq);
      observed += fmt::format(": it answered seq {}, which is not a command frame", source.seq);
    }
    context_.flag(typed.wall_ns, f.node, "acted-on-non-command",
                  "commands only from ids 0x000-0x07F addressed to the node or 0x07F", observed, evidence);
  }

  CheckContext& context_;
  std::vector<PendingCommand>& commands_;
  std::vector<Recent> recent_ = std::vector<Recent>(65536);
};

}  // namespace

std::unique_ptr<CheckFamily> MakeCommandsFamily(CheckContext& context) {
  return std::make_unique<CommandsFamily>(context);
}

}  // namespace packtwin::twin::check
