// Rule `two-masters` (pack-behaviour.md: Election). A handover is not two
// masters: the old master stops its FLEET within a cycle of hearing the new
// one, and its heartbeat's role field is corrected with its next heartbeat
// (10 s). Only a conflict still reported after that counts.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "check_family.h"
#include "packtwin/twin/names.h"

namespace packtwin::twin::check {
namespace {

constexpr int64_t kHandoverNs = 12'500 * kNsPerMs;  // a heartbeat period plus the allowance

class ElectionFamily : public CheckFamily {
 public:
  explicit ElectionFamily(CheckContext& context) : context_(context) {}

  void OnChange(const Change& change) override {
    if (change.kind != ChangeKind::kTwoMasters) return;
    const auto pair = std::minmax(change.node, change.other);
    auto& episode = conflicts_[{pair.first, pair.second}];
    if (episode.flagged) return;
    if (episode.first_ns == 0 || change.wall_ns - episode.last_ns > kHandoverNs) {
      episode = {change.wall_ns, change.wall_ns, change.seq, false};
      return;
    }
    episode.last_ns = change.wall_ns;
    if (change.wall_ns - episode.first_ns < kHandoverNs) return;
    episode.flagged = true;
    context_.flag(change.wall_ns, change.node, "two-masters",
                  "one master: a live gateway, else the live pack with the highest node id",
                  fmt::format("two masters: {} and {} both act as master (for {} s)", NodeName(change.node),
                              NodeName(change.other), (change.wall_ns - episode.first_ns) / 1'000'000'000),
                  {episode.first_seq, change.seq});
  }

 private:
  struct Episode {
    int64_t first_ns = 0;
    int64_t last_ns = 0;
    uint64_t first_seq = 0;
    bool flagged = false;
  };
  CheckContext& context_;
  std::map<std::pair<uint8_t, uint8_t>, Episode> conflicts_;
};

}  // namespace

std::unique_ptr<CheckFamily> MakeElectionFamily(CheckContext& context) {
  return std::make_unique<ElectionFamily>(context);
}

}  // namespace packtwin::twin::check
