// Rule `grid-closed-in-lockout` (pack-behaviour.md: Grid import limit): once
// TEL status says lockout, nothing may close the grid relay; a decision gets
// one cycle plus jitter to show.
#include <fmt/format.h>

#include <map>

#include "check_family.h"
#include "packtwin/firmware/protocol_v1.h"

namespace packtwin::twin::check {
namespace {

class LockoutFamily : public CheckFamily {
 public:
  explicit LockoutFamily(CheckContext& context) : context_(context) {}

  void OnEvent(const TypedEvent& typed, const TwinState& /*state*/) override {
    const auto* f = typed.As<firmware::TelBattFrame>();
    if (f == nullptr) return;
    Track& p = packs_[f->node];
    const int64_t now = typed.wall_ns;
    const bool lockout = (f->status & firmware::kStatusLockout) != 0;
    const bool grid_closed = (f->relays & 1u) != 0;
    if (lockout && !p.lockout) {
      p.since_ns = now;
      p.since_seq = typed.seq;
      p.flagged = false;
    }
    p.lockout = lockout;
    if (lockout && grid_closed && !p.flagged && now - p.since_ns > kDecisionAllowanceNs) {
      p.flagged = true;
      context_.flag(now, f->node, "grid-closed-in-lockout", "grid relay open while locked out (nothing may close it)",
                    fmt::format("grid relay closed {} ms after the lockout began", (now - p.since_ns) / kNsPerMs),
                    {p.since_seq, typed.seq});
    }
  }

 private:
  struct Track {
    bool lockout = false;
    int64_t since_ns = 0;
    uint64_t since_seq = 0;
    bool flagged = false;
  };
  CheckContext& context_;
  std::map<uint8_t, Track> packs_;
};

}  // namespace

std::unique_ptr<CheckFamily> MakeLockoutFamily(CheckContext& context) { return std::make_unique<LockoutFamily>(context); }

}  // namespace packtwin::twin::check
