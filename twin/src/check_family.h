// The inside of `packtwin check`: each family of rules (see check_rules.cc)
// is one class in its own file, fed every typed event and fold change in log
// order. What families share is in CheckContext: the finding sink, the
// site's clock from TIME frames, and the commands awaiting ACKs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/twin/timeline.h"
#include "packtwin/twin/twin_state.h"
#include "packtwin/twin/typed_event.h"

namespace packtwin::twin::check {

inline constexpr int64_t kNsPerMs = 1'000'000;
inline constexpr int64_t kDecisionAllowanceNs = 2'500 * kNsPerMs;  // one 2 s cycle plus jitter
inline constexpr int64_t kMsPerDay = 86'400'000;

// Whether `later_ns` is at most the allowance after `earlier_ns` (or before
// it). Times come from the log, so their difference may not fit in int64.
inline bool WithinAllowance(int64_t earlier_ns, int64_t later_ns) {
  int64_t after_ns = 0;
  if (__builtin_sub_overflow(later_ns, earlier_ns, &after_ns)) return later_ns < earlier_ns;
  return after_ns <= kDecisionAllowanceNs;
}

// Records a finding of a rule in the table; the table gives its spec section.
using FlagFn = std::function<void(int64_t wall_ns, uint8_t node, std::string_view rule, std::string expected,
                                  std::string observed, std::vector<uint64_t> evidence)>;

// The site's local clock as its TIME frames set it.
class SiteClock {
 public:
  void OnTime(int64_t wall_ns, const firmware::TimeFrame& f);
  bool known() const { return known_; }
  std::optional<int64_t> LocalMs(int64_t wall_ns) const;
  // When a TIME jumped forward across 05:00: the reset it causes shows in the
  // next cycle's report, whose predecessor may already carry the new clock.
  std::optional<int64_t> jumped_across_five_ns() const { return jumped_across_five_ns_; }

 private:
  bool known_ = false;
  int64_t base_local_ms_ = 0;
  int64_t base_wall_ns_ = 0;
  std::optional<int64_t> jumped_across_five_ns_;
};

// Whether a 05:00 lies in (from, to] (local ms).
bool CrossesFive(int64_t from_local_ms, int64_t to_local_ms);
// "05:00:00 local"
std::string LocalClockText(int64_t local_ms);

struct PendingCommand {
  firmware::CommandFrame command;
  int64_t wall_ns = 0;
  uint64_t seq = 0;
  std::vector<uint8_t> expected_acks;
  std::vector<uint8_t> acked;
};

struct CheckContext {
  FlagFn flag;
  SiteClock clock;
  // Commands sent within the last decision allowance: the commands family
  // keeps them, the daily reset reads them.
  std::vector<PendingCommand> pending_commands;
};

class CheckFamily {
 public:
  virtual ~CheckFamily() = default;
  virtual void OnEvent(const TypedEvent& /*typed*/, const TwinState& /*state*/) {}
  virtual void OnChange(const Change& /*change*/) {}
  // The log ended at `end_ns` (judge what was waiting).
  virtual void Finish(int64_t /*end_ns*/) {}
};

// One per family, in the order the checker feeds them (findings at one
// instant keep that order).
std::unique_ptr<CheckFamily> MakeCommandsFamily(CheckContext& context);
std::unique_ptr<CheckFamily> MakeFramesFamily(CheckContext& context);
std::unique_ptr<CheckFamily> MakeLockoutFamily(CheckContext& context);
std::unique_ptr<CheckFamily> MakeSocFamily(CheckContext& context);
std::unique_ptr<CheckFamily> MakeDailyResetFamily(CheckContext& context);
std::unique_ptr<CheckFamily> MakeGridEnergyFamily(CheckContext& context);
std::unique_ptr<CheckFamily> MakeEcoFamily(CheckContext& context);
std::unique_ptr<CheckFamily> MakeIdentityFamily(CheckContext& context);
std::unique_ptr<CheckFamily> MakeElectionFamily(CheckContext& context);
std::unique_ptr<CheckFamily> MakeRelaysFamily(CheckContext& context);
std::unique_ptr<CheckFamily> MakeBmsFamily(CheckContext& context);
std::unique_ptr<CheckFamily> MakeBridgeFamily(CheckContext& context);

}  // namespace packtwin::twin::check
