// Rules `missing-ack` and `acted-on-non-command` (can-protocol.md: Commands,
// ids matched exactly): every live pack a command is for ACKs it within the
// allowance, and no ACK answers a frame that was not a COMMAND.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>

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
      Remember(static_cast<uint16_t>(frame.data[0] << 8 | frame.data[1]), typed.seq, typed.wall_ns);
    }
  }

  void Finish(int64_t end_ns) override { Expire(end_ns + kDecisionAllowanceNs + 1); }

 private:
  // A frame that carried (b0, b1) as its first two bytes, key b0 << 8 | b1.
  // Only frames within the allowance of the newest time seen are kept (an ACK
  // answers within it); a 64K-slot table of every key cost a short log more
  // than all its rules. In a log whose times go backwards a frame may have
  // left before an ACK that is, by its own time, within the allowance: that
  // ACK is still flagged, without naming the frame it answered.
  struct Recent {
    uint16_t key = 0;
    uint64_t seq = 0;
    int64_t wall_ns = 0;
  };

  void Remember(uint16_t key, uint64_t seq, int64_t wall_ns) {
    newest_ns_ = std::max(newest_ns_, wall_ns);
    while (!recent_.empty() && !WithinAllowance(recent_.front().wall_ns, newest_ns_)) recent_.pop_front();
    recent_.push_back({key, seq, wall_ns});
  }

  const Recent* LastWith(uint16_t key) const {
    for (auto it = recent_.rbegin(); it != recent_.rend(); ++it) {
      if (it->key == key) return &*it;
    }
    return nullptr;
  }

  void Expire(int64_t now_ns) {
    for (auto it = commands_.begin(); it != commands_.end();) {
      if (WithinAllowance(it->wall_ns, now_ns)) {
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
    const Recent* source = LastWith(static_cast<uint16_t>(f.cmd << 8 | f.seq));
    if (source != nullptr && WithinAllowance(source->wall_ns, typed.wall_ns)) {
      evidence.insert(evidence.begin(), source->seq);
      observed += fmt::format(": it answered seq {}, which is not a command frame", source->seq);
    }
    context_.flag(typed.wall_ns, f.node, "acted-on-non-command",
                  "commands only from ids 0x000-0x07F addressed to the node or 0x07F", observed, evidence);
  }

  CheckContext& context_;
  std::vector<PendingCommand>& commands_;
  std::deque<Recent> recent_;
  int64_t newest_ns_ = std::numeric_limits<int64_t>::min();
};

}  // namespace

std::unique_ptr<CheckFamily> MakeCommandsFamily(CheckContext& context) {
  return std::make_unique<CommandsFamily>(context);
}

}  // namespace packtwin::twin::check
