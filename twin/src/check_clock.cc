// The site's clock for the rules that judge local times (the 05:00 reset,
// time of use in the relay shadow).
#include <fmt/format.h>

#include "check_family.h"
#include "packtwin/firmware/local_clock.h"

namespace packtwin::twin::check {

bool CrossesFive(int64_t from_local_ms, int64_t to_local_ms) {
  if (to_local_ms <= from_local_ms) return false;
  const int64_t day_start = to_local_ms - ((to_local_ms % kMsPerDay) + kMsPerDay) % kMsPerDay;
  int64_t five = day_start + firmware::kResetHourMs;  // the firmware's own 05:00
  if (five > to_local_ms) five -= kMsPerDay;
  return five > from_local_ms;
}

std::string LocalClockText(int64_t local_ms) {
  const int64_t in_day = ((local_ms % kMsPerDay) + kMsPerDay) % kMsPerDay;
  return fmt::format("{:02}:{:02}:{:02} local", in_day / 3'600'000, in_day / 60'000 % 60, in_day / 1000 % 60);
}

std::optional<int64_t> SiteClock::LocalMs(int64_t wall_ns) const {
  if (!known_) return std::nullopt;
  return base_local_ms_ + (wall_ns - base_wall_ns_) / kNsPerMs;
}

void SiteClock::OnTime(int64_t wall_ns, const firmware::TimeFrame& f) {
  if (!firmware::TimeFrameValid(f)) return;
  const auto local_before = LocalMs(wall_ns);
  known_ = true;
  base_local_ms_ = (static_cast<int64_t>(f.unix_s) + f.utc_offset_min * 60) * 1000;
  base_wall_ns_ = wall_ns;
  if (local_before && CrossesFive(*local_before, base_local_ms_)) jumped_across_five_ns_ = wall_ns;
}

}  // namespace packtwin::twin::check
