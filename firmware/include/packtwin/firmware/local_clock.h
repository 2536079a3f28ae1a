// Local time from TIME frames, and the schedule of the daily reset.
// Local time = last valid TIME (unix + offset) + monotonic time since it.
// Synced: reset whenever local time reaches or passes the stored next 05:00
// (forward jumps included; backward jumps do not move it). Never synced:
// reset every 24 h of uptime from boot.
#pragma once

#include <cstdint>

#include "packtwin/firmware/can_v1_frames.h"

namespace packtwin::firmware {

inline constexpr uint32_t kMinValidUnixS = 1704067200;  // 2024-01-01T00:00:00Z
inline constexpr int16_t kMinUtcOffsetMin = -720;
inline constexpr int16_t kMaxUtcOffsetMin = 840;
inline constexpr int64_t kMsPerDay = 86'400'000;
inline constexpr int64_t kResetHourMs = 5 * 3'600'000;

struct LocalClock {
  bool synced = false;
  int64_t base_local_ms = 0;   // local time of the last valid TIME
  uint64_t base_mono_ms = 0;   // when it arrived
  int64_t next_reset_local_ms = 0;
  uint64_t next_uptime_reset_ms = 0;  // while never synced
};

void StartClock(LocalClock* clock, uint64_t boot_ms);
bool TimeFrameValid(const TimeFrame& time);
// Applies a valid TIME; the caller has checked TimeFrameValid.
void ApplyTime(LocalClock* clock, const TimeFrame& time, uint64_t now_ms);
int64_t LocalMs(const LocalClock& clock, uint64_t now_ms);
uint8_t LocalHour(const LocalClock& clock, uint64_t now_ms);
// The first 05:00:00.000 strictly after local_ms.
int64_t NextResetAfter(int64_t local_ms);
// Monotonic time at which the next daily reset falls due.
uint64_t ResetDeadlineMs(const LocalClock& clock);
// Schedules the reset after the one that just ran at now_ms.
void ScheduleNextReset(LocalClock* clock, uint64_t now_ms);

}  // namespace packtwin::firmware
