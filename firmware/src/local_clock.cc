#include "packtwin/firmware/local_clock.h"

namespace packtwin::firmware {

void StartClock(LocalClock* clock, uint64_t boot_ms) {
  *clock = LocalClock{};
  clock->next_uptime_reset_ms = boot_ms + static_cast<uint64_t>(kMsPerDay);
}

bool TimeFrameValid(const TimeFrame& time) {
  return time.unix_s >= kMinValidUnixS && time.utc_offset_min >= kMinUtcOffsetMin &&
         time.utc_offset_min <= kMaxUtcOffsetMin;
}

void ApplyTime(LocalClock* clock, const TimeFrame& time, uint64_t now_ms) {
  const int64_t local_ms =
      (static_cast<int64_t>(time.unix_s) + static_cast<int64_t>(time.utc_offset_min) * 60) * 1000;
  const bool first = !clock->synced;
  clock->synced = true;
  clock->base_local_ms = local_ms;
  clock->base_mono_ms = now_ms;
  // Only the first valid TIME sets the schedule; later ones move local time,
  // and a forward jump across the stored 05:00 makes the reset fall due.
  if (first) clock->next_reset_local_ms = NextResetAfter(local_ms);
}

int64_t LocalMs(const LocalClock& clock, uint64_t now_ms) {
  return clock.base_local_ms + static_cast<int64_t>(now_ms - clock.base_mono_ms);
}

uint8_t LocalHour(const LocalClock& clock, uint64_t now_ms) {
  const int64_t in_day = LocalMs(clock, now_ms) % kMsPerDay;  // local time is after 2024: positive
  return static_cast<uint8_t>(in_day / 3'600'000);
}

int64_t NextResetAfter(int64_t local_ms) {
  const int64_t day_start = local_ms - local_ms % kMsPerDay;
  const int64_t today_reset = day_start + kResetHourMs;
  return today_reset > local_ms ? today_reset : today_reset + kMsPerDay;
}

uint64_t ResetDeadlineMs(const LocalClock& clock) {
  if (!clock.synced) return clock.next_uptime_reset_ms;
  const int64_t ahead_ms = clock.next_reset_local_ms - clock.base_local_ms;
  return ahead_ms <= 0 ? clock.base_mono_ms : clock.base_mono_ms + static_cast<uint64_t>(ahead_ms);
}

void ScheduleNextReset(LocalClock* clock, uint64_t now_ms) {
  if (clock->synced) {
    clock->next_reset_local_ms = NextResetAfter(LocalMs(*clock, now_ms));
  } else {
    clock->next_uptime_reset_ms += static_cast<uint64_t>(kMsPerDay);
  }
}

}  // namespace packtwin::firmware
