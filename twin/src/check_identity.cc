// Rule `duplicate-node-id` (pack-behaviour.md: Identity): of two serials on
// one node id, the higher moves to the next free id; flagged when it is heard
// on the id again after the allowance.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "check_family.h"
#include "packtwin/twin/names.h"

namespace packtwin::twin::check {
namespace {

class IdentityFamily : public CheckFamily {
 public:
  explicit IdentityFamily(CheckContext& context) : context_(context) {}

  void OnChange(const Change& change) override {
    if (change.kind != ChangeKind::kDuplicateId) return;
    // The first report of a conflict starts the clock; repeats of it must not.
    const uint32_t loser = std::max(change.serial, change.other_serial);
    auto it = conflicts_.find(change.node);
    if (it == conflicts_.end() || it->second.loser_serial != loser) {
      conflicts_[change.node] = {loser, change.wall_ns, change.seq};
    }
  }

  void OnEvent(const TypedEvent& typed, const TwinState& /*state*/) override {
    const auto* f = typed.As<firmware::HeartbeatFrame>();
    if (f == nullptr) return;
    auto it = conflicts_.find(f->node);
    if (it == conflicts_.end() || f->serial_lo != it->second.loser_serial) return;
    if (typed.wall_ns - it->second.since_ns <= kDecisionAllowanceNs) return;
    context_.flag(typed.wall_ns, f->node, "duplicate-node-id",
                  "each node id used by one serial; the higher serial moves to the next free id",
                  fmt::format("serial {:08X} still announces {} after the conflict", f->serial_lo, NodeName(f->node)),
                  {it->second.seq, typed.seq});
    conflicts_.erase(it);
  }

 private:
  struct Conflict {
    uint32_t loser_serial = 0;
    int64_t since_ns = 0;
    uint64_t seq = 0;
  };
  CheckContext& context_;
  std::map<uint8_t, Conflict> conflicts_;
};

}  // namespace

std::unique_ptr<CheckFamily> MakeIdentityFamily(CheckContext& context) {
  return std::make_unique<IdentityFamily>(context);
}

}  // namespace packtwin::twin::check
