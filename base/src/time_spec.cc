#include "packtwin/base/time_spec.h"

#include <fmt/format.h>

#include <climits>
#include <cstdint>
#include <ctime>

namespace packtwin {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

// Fraction digits after '.', scaled to ns.
std::optional<int64_t> FractionNs(TextCursor& cur) {
  size_t digits = 0;
  auto fraction = cur.Decimal(9, &digits);
  if (!fraction) return std::nullopt;
  auto ns = static_cast<int64_t>(*fraction);
  for (size_t i = digits; i < 9; ++i) ns *= 10;
  return ns;
}

constexpr uint64_t kMaxOffsetSeconds = 9'000'000'000;  // ~285 years: fits in int64 ns
constexpr int64_t kNsPerDay = 86'400 * kNsPerSecond;

// An optional ".FRACTION" added to *ns; false when '.' has no digits after it.
bool AddFraction(TextCursor& cur, int64_t* ns) {
  if (!cur.Consume('.')) return true;
  auto fraction = FractionNs(cur);
  if (!fraction) return false;
  *ns += *fraction;
  return true;
}

std::variant<TimeSpec, ParseError> ParseSecondsFromStart(TextCursor& cur) {
  TimeSpec spec;
  spec.from_start = true;
  // A duration with units ("1m30s", "2h", "1d") counts from the start too.
  const std::string_view rest = cur.Rest();
  if (!rest.empty() && rest[0] >= '0' && rest[0] <= '9' && rest.find_first_of("dhms") != std::string_view::npos) {
    auto ms = ParseDurationMs(cur.Rest(), false, false);
    if (!ms) return cur.Error("seconds or a duration from the start (90, 1m30s, 2h, 1d), or a date like 2026-11-21T05:00:00Z");
    spec.offset_ns = *ms * 1'000'000;
    return spec;
  }
  size_t digits = 0;
  auto seconds = cur.Decimal(12, &digits);
  if (!seconds) return cur.Error("seconds from the start, or a date like 2026-11-21T05:00:00Z");
  if (*seconds > kMaxOffsetSeconds) {
    return cur.ErrorAt(cur.position() - digits, "seconds from the start up to 9000000000 (about 285 years)");
  }
  spec.offset_ns = static_cast<int64_t>(*seconds) * kNsPerSecond;
  if (!AddFraction(cur, &spec.offset_ns)) return cur.Error("digits after '.'");
  if (!cur.AtEnd()) return cur.Error("the end of the time");
  return spec;
}

// Reads "NN" with the given separator before it (none for the first field).
std::optional<int> Field(TextCursor& cur, char separator, size_t digits, int max) {
  if (separator != '\0' && !cur.Consume(separator)) return std::nullopt;
  size_t read = 0;
  auto value = cur.Decimal(digits, &read);
  if (!value || read != digits || *value > static_cast<uint64_t>(max)) return std::nullopt;
  return static_cast<int>(*value);
}

}  // namespace

std::variant<TimeSpec, ParseError> ParseTimeOfDay(TextCursor& cur) {
  auto hour = Field(cur, '\0', 2, 23);
  auto minute = Field(cur, ':', 2, 59);
  auto second = Field(cur, ':', 2, 59);
  if (!hour || !minute || !second) return cur.Error("a time of day HH:MM:SS");
  TimeSpec spec;
  spec.time_of_day = true;
  spec.offset_ns = (*hour * 3600LL + *minute * 60LL + *second) * kNsPerSecond;
  if (!AddFraction(cur, &spec.offset_ns)) return cur.Error("digits after '.'");
  if (!cur.AtEnd()) return cur.Error("the end of the time of day");
  return spec;
}

std::variant<TimeSpec, ParseError> ParseTimeSpec(std::string_view text) {
  TextCursor cur(text);
  // "HH:MM:SS" has ':' at column 3; a date has '-' at column 5; anything
  // else counts from the start.
  if (text.size() >= 3 && text[2] == ':') return ParseTimeOfDay(cur);
  if (text.size() < 5 || text[4] != '-') return ParseSecondsFromStart(cur);
  std::tm tm{};
  auto year = Field(cur, '\0', 4, 9999);
  auto month = Field(cur, '-', 2, 12);
  auto day = Field(cur, '-', 2, 31);
  if (!year || !month || !day || *month < 1 || *day < 1) return cur.Error("a date YYYY-MM-DD");
  if (!cur.Consume('T') && !cur.Consume(' ')) return cur.Error("'T' or ' ' between date and time");
  auto hour = Field(cur, '\0', 2, 23);
  auto minute = Field(cur, ':', 2, 59);
  auto second = Field(cur, ':', 2, 60);
  if (!hour || !minute || !second) return cur.Error("a time HH:MM:SS");
  int64_t fraction_ns = 0;
  if (!AddFraction(cur, &fraction_ns)) return cur.Error("digits after '.'");
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  std::time_t seconds = 0;
  if (cur.Consume('Z') || cur.Consume('z')) {
    seconds = timegm(&tm);
  } else if (cur.Peek() == '+' || cur.Peek() == '-') {
    const int sign = cur.Peek() == '-' ? -1 : 1;
    cur.Advance();
    auto off_hours = Field(cur, '\0', 2, 14);
    auto off_minutes = Field(cur, ':', 2, 59);
    if (!off_hours || !off_minutes) return cur.Error("a UTC offset like +01:00");
    seconds = timegm(&tm) - sign * (*off_hours * 3600 + *off_minutes * 60);
  } else {
    tm.tm_isdst = -1;  // local time, as the user's clock shows it
    seconds = std::mktime(&tm);
  }
  if (!cur.AtEnd()) return cur.Error("the end of the time, 'Z' or an offset like +01:00");
  // 64-bit nanoseconds since 1970 hold 1677-09-21 to 2262-04-11.
  constexpr std::time_t kMaxSeconds = INT64_MAX / kNsPerSecond - 1;
  if (seconds > kMaxSeconds || seconds < -kMaxSeconds) return cur.ErrorAt(0, "a date between 1677 and 2262");
  TimeSpec spec;
  spec.wall_ns = static_cast<int64_t>(seconds) * kNsPerSecond + fraction_ns;
  return spec;
}

int64_t TimeSpec::Resolve(int64_t start_wall_ns) const {
  if (!from_start && !time_of_day) return wall_ns;
  int64_t base = start_wall_ns;
  if (time_of_day) {
    const int64_t day = start_wall_ns / kNsPerDay - (start_wall_ns % kNsPerDay < 0 ? 1 : 0);
    if (__builtin_mul_overflow(day, kNsPerDay, &base)) return day < 0 ? INT64_MIN : INT64_MAX;
  }
  int64_t out = 0;
  if (__builtin_add_overflow(base, offset_ns, &out)) return offset_ns > 0 ? INT64_MAX : INT64_MIN;
  return out;
}

std::optional<int64_t> ParseDurationMs(std::string_view text, bool bare_seconds, bool allow_sign) {
  std::string_view rest = text;
  int64_t sign = 1;
  if (allow_sign && !rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    sign = rest.front() == '-' ? -1 : 1;
    rest.remove_prefix(1);
  }
  if (rest.empty()) return std::nullopt;
  int64_t total_ms = 0;
  // Bounded by the text: each pass eats at least one digit.
  while (!rest.empty()) {
    size_t digits = 0;
    int64_t value = 0;
    while (digits < rest.size() && digits < 9 && rest[digits] >= '0' && rest[digits] <= '9') {
      value = value * 10 + (rest[digits] - '0');
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    rest.remove_prefix(digits);
    int64_t unit_ms = 0;
    if (rest.empty() && bare_seconds && total_ms == 0) {
      unit_ms = 1000;
    } else if (rest.substr(0, 2) == "ms") {
      unit_ms = 1;
      rest.remove_prefix(2);
    } else if (!rest.empty() && (rest[0] == 'd' || rest[0] == 'h' || rest[0] == 'm' || rest[0] == 's')) {
      unit_ms = rest[0] == 'd' ? 86'400'000 : rest[0] == 'h' ? 3'600'000 : rest[0] == 'm' ? 60'000 : 1000;
      rest.remove_prefix(1);
    } else {
      return std::nullopt;
    }
    // At most 285 years in all: milliseconds that also fit as nanoseconds.
    constexpr int64_t kMaxMs = 9'000'000'000'000;
    if (value > kMaxMs / unit_ms || total_ms > kMaxMs - value * unit_ms) return std::nullopt;
    total_ms += value * unit_ms;
  }
  return sign * total_ms;
}

namespace {
DisplayZone g_display_zone;

std::string FormatWithOffset(int64_t wall_ns, int offset_min) {
  int64_t shifted = 0;
  if (__builtin_add_overflow(wall_ns, static_cast<int64_t>(offset_min) * 60 * kNsPerSecond, &shifted)) return FormatUtc(wall_ns);
  std::string text = FormatUtc(shifted);
  text.pop_back();  // the 'Z'
  const int magnitude = offset_min < 0 ? -offset_min : offset_min;
  return text + fmt::format("{}{:02}:{:02}", offset_min < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
}
}  // namespace

void SetDisplayZone(const DisplayZone& zone) { g_display_zone = zone; }

std::string FormatDisplayTime(int64_t wall_ns) {
  switch (g_display_zone.kind) {
    case DisplayZone::Kind::kUtc:
      return FormatUtc(wall_ns);
    case DisplayZone::Kind::kOffset:
      return FormatWithOffset(wall_ns, g_display_zone.offset_min);
    case DisplayZone::Kind::kLocal: {
      const auto t = static_cast<std::time_t>(wall_ns / kNsPerSecond);
      std::tm tm{};
      localtime_r(&t, &tm);
      return FormatWithOffset(wall_ns, static_cast<int>(tm.tm_gmtoff / 60));
    }
  }
  return FormatUtc(wall_ns);
}

std::string FormatUtc(int64_t wall_ns) {
  int64_t seconds = wall_ns / kNsPerSecond;
  int64_t ns = wall_ns % kNsPerSecond;
  if (ns < 0) {
    ns += kNsPerSecond;
    --seconds;
  }
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const std::string fraction = ns % 1000 == 0 ? fmt::format("{:06}", ns / 1000) : fmt::format("{:09}", ns);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, fraction);
}

}  // namespace packtwin
