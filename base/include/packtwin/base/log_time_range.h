// The times a log may hold: 1900-01-01 to 2099-12-31 (UTC).
//
// 64-bit nanoseconds reach from 1677 to 2262, but the twin and its checks
// subtract and add times (elapsed since, deadlines, allowances). Near those
// limits such sums overflow, and two times 300 years apart cannot even be
// subtracted. Inside these 200 years every difference of two times, and any
// allowance of days added to one, stays far from the limits: this one bound
// closes the whole class, wherever the arithmetic is. The writer refuses
// anything else (every importer, the recorder and simulate go through it) and
// the block codec and the schema-1 reader take it for damage (a hand-made or
// forged log). A pack's clock starting at 1970 (no RTC) is inside.
#pragma once

#include <cstdint>

namespace packtwin {

inline constexpr int64_t kEarliestLogTimeNs = -2'208'988'800LL * 1'000'000'000;        // 1900-01-01T00:00:00Z
inline constexpr int64_t kLatestLogTimeNs = 4'102'444'800LL * 1'000'000'000 - 1;       // 2099-12-31T23:59:59.999999999Z
inline constexpr const char* kLogTimeRangeText = "between 1900-01-01 and 2099-12-31 (UTC)";

constexpr bool InLogTimeRange(int64_t time_ns) { return time_ns >= kEarliestLogTimeNs && time_ns <= kLatestLogTimeNs; }

}  // namespace packtwin
