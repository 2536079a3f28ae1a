// Rules `reset-not-at-0500` and `reset-twice` (pack-behaviour.md: Grid import
// limit, daily reset): grid energy today drops only at 05:00 local (a TIME
// jumping across 05:00 resets legitimately), once a day, unless a command
// asked for it or the pack rebooted.
#include <fmt/format.h>

#include <map>

#include "check_family.h"
#include "packtwin/firmware/protocol_v1.h"

namespace packtwin::twin::check {
namespace {

class DailyResetFamily : public CheckFamily {
 public:
  explicit DailyResetFamily(CheckContext& context) : context_(context) {}

  void OnEvent(const TypedEvent& typed, const TwinState& /*state*/) override {
    if (const auto* loads = typed.As<firmware::TelLoadsFrame>()) OnTelLoads(typed, *loads);
    const auto* relay = typed.As<firmware::RelayEvtFrame>();
    if (relay != nullptr && relay->cause == static_cast<uint8_t>(firmware::RelayCause::kBoot)) {
      packs_[relay->node].rebooted = true;
    }
  }

 private:
  struct Track {
    bool has_loads = false;
    uint32_t last_reported_Wh = 0;
    // The local time of the last report as the site's clock read then: a TIME
    // that jumps in between must not move it (a jump across 05:00 resets).
    std::optional<int64_t> last_local_ms;
    uint64_t last_seq = 0;
    bool rebooted = false;  // a boot RELAY_EVT since the last TEL_LOADS
    std::optional<int64_t> last_reset_local_ms;
  };

  bool ResetCommanded() const {
    for (const auto& c : context_.pending_commands) {
      if (c.command.cmd == static_cast<uint8_t>(firmware::Command::kResetGridEnergy)) return true;
    }
    return false;
  }

  void OnTelLoads(const TypedEvent& typed, const firmware::TelLoadsFrame& f) {
    Track& p = packs_[f.node];
    const int64_t now = typed.wall_ns;
    const uint32_t reported = static_cast<uint32_t>(f.grid_today_Wh10) * 10;
    if (p.has_loads && reported + 10 < p.last_reported_Wh && !p.rebooted) Judge(typed, f.node, p);
    p.has_loads = true;
    p.rebooted = false;
    p.last_reported_Wh = reported;
    p.last_local_ms = context_.clock.LocalMs(now);
    p.last_seq = typed.seq;
  }

  // Energy today dropped: a daily reset.
  void Judge(const TypedEvent& typed, uint8_t node, Track& p) {
    const int64_t now = typed.wall_ns;
    const auto local_now = context_.clock.LocalMs(now);
    const auto local_before = p.last_local_ms;
    if (ResetCommanded() || !local_now || !local_before) return;
    // A 05:00 must fall between the last report and this one.
    const auto jumped_ns = context_.clock.jumped_across_five_ns();
    const bool after_jump = jumped_ns && now - *jumped_ns <= kDecisionAllowanceNs + 2'000 * kNsPerMs;
    if (!CrossesFive(*local_before, *local_now) && !after_jump) {
      context_.flag(now, node, "reset-not-at-0500", "the daily reset at 05:00 local",
                    fmt::format("grid energy reset at {}", LocalClockText(*local_now)), {p.last_seq, typed.seq});
    } else if (p.last_reset_local_ms && *local_now - *p.last_reset_local_ms < kMsPerDay - 3'600'000) {
      context_.flag(now, node, "reset-twice", "one reset a day",
                    fmt::format("a second reset at {}", LocalClockText(*local_now)), {p.last_seq, typed.seq});
    }
    p.last_reset_local_ms = *local_now;
  }

  CheckContext& context_;
  std::map<uint8_t, Track> packs_;
};

}  // namespace

std::unique_ptr<CheckFamily> MakeDailyResetFamily(CheckContext& context) {
  return std::make_unique<DailyResetFamily>(context);
}

}  // namespace packtwin::twin::check
