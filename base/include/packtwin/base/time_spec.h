// Times as users type them on the command line, one grammar everywhere:
//   "2026-11-21T05:00:00Z", "2026-11-21 05:00:00.250+01:00"  wall time (ISO 8601)
//   "2026-11-21T05:00:00"                                     local wall time
//   "90", "12.5"                                              seconds from the log's start
//   "30s", "1m30s", "2h", "1d"                                a duration from the log's start
//   "05:30:00", "05:30:00.5"                                  that time (UTC) on the log's first day
// Dates run from 1677 to 2262 (what 64-bit nanoseconds hold); anything that
// would overflow is an error, never a wrapped value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "packtwin/base/text_cursor.h"

namespace packtwin {

struct TimeSpec {
  bool from_start = false;   // offset_ns counts from the first event
  bool time_of_day = false;  // offset_ns counts from 00:00 UTC of the first event's day
  int64_t wall_ns = 0;       // when neither
  int64_t offset_ns = 0;

  // Saturates instead of overflowing (a time past the log is then reported as such).
  int64_t Resolve(int64_t start_wall_ns) const;
};

std::variant<TimeSpec, ParseError> ParseTimeSpec(std::string_view text);

// Durations as users type them: "90s", "1m30s", "500ms", "2h", "1d" -> ms. A bare
// number is seconds when `bare_seconds`; a leading sign only when `allow_sign`
// ("-2h", for a clock that jumps back). nullopt when malformed.
std::optional<int64_t> ParseDurationMs(std::string_view text, bool bare_seconds, bool allow_sign);

// "2026-11-21T05:00:00.123456Z" in UTC: 6 decimals, or 9 when the time has sub-microsecond digits.
std::string FormatUtc(int64_t wall_ns);

// How text output prints times (--tz): UTC, a fixed offset (the site's, from
// its TIME frames), or the machine's local zone. JSON output stays in UTC.
struct DisplayZone {
  enum class Kind { kUtc, kOffset, kLocal } kind = Kind::kUtc;
  int offset_min = 0;  // for kOffset
};
// Set once by the command line before anything is printed.
void SetDisplayZone(const DisplayZone& zone);
// "2026-11-21T06:00:00.000000+01:00" in the display zone ("...Z" in UTC).
std::string FormatDisplayTime(int64_t wall_ns);

}  // namespace packtwin
