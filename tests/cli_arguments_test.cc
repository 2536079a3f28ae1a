// The typed arguments users give on the command line: id ranges, times and
// capture sources.
#include <gtest/gtest.h>

#include <cstdlib>

#include "packtwin/eventlog/id_ranges.h"
#include "packtwin/base/time_spec.h"
#include "packtwin/bus/can_spec.h"

namespace packtwin {
namespace {

template <typename T>
std::string ErrorOf(const std::variant<T, ParseError>& parsed) {
  auto* error = std::get_if<ParseError>(&parsed);
  return error ? error->Describe() : "no error";
}

TEST(IdRanges, RangesSinglesHexAndDecimal) {
  auto parsed = eventlog::IdRanges::Parse("0x180-0x1FF,0x700-0x77F,291");
  ASSERT_TRUE(std::holds_alternative<eventlog::IdRanges>(parsed)) << ErrorOf(parsed);
  const auto& ranges = std::get<eventlog::IdRanges>(parsed);
  EXPECT_TRUE(ranges.Contains(0x180));
  EXPECT_TRUE(ranges.Contains(0x1FF));
  EXPECT_FALSE(ranges.Contains(0x200));
  EXPECT_TRUE(ranges.Contains(0x77F));
  EXPECT_TRUE(ranges.Contains(291));
  EXPECT_FALSE(ranges.Contains(292));
}

TEST(IdRanges, ErrorsPointAtTheBadPart) {
  EXPECT_EQ(ErrorOf(eventlog::IdRanges::Parse("")), "column 1: expected a CAN id such as 0x180 or 384 (at most 0x1FFFFFFF), found end of line");
  EXPECT_EQ(ErrorOf(eventlog::IdRanges::Parse("0x200-0x100")), "column 7: expected a last id not below the first, found '0x100'");
  EXPECT_EQ(ErrorOf(eventlog::IdRanges::Parse("0x180,,")), "column 7: expected a CAN id such as 0x180 or 384 (at most 0x1FFFFFFF), found ','");
  EXPECT_EQ(ErrorOf(eventlog::IdRanges::Parse("0x20000000")), "column 1: expected a CAN id such as 0x180 or 384 (at most 0x1FFFFFFF), found '0x20000000'");
}

TEST(TimeSpec, SecondsFromStart) {
  auto spec = std::get<TimeSpec>(ParseTimeSpec("12.5"));
  EXPECT_TRUE(spec.from_start);
  EXPECT_EQ(spec.Resolve(1'000'000'000), 13'500'000'000);
}

TEST(TimeSpec, IsoUtcOffsetAndLocal) {
  EXPECT_EQ(std::get<TimeSpec>(ParseTimeSpec("2026-11-21T05:00:00Z")).wall_ns, 1795237200'000000000);
  EXPECT_EQ(std::get<TimeSpec>(ParseTimeSpec("2026-11-21 06:00:00.25+01:00")).wall_ns, 1795237200'250000000);
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(std::get<TimeSpec>(ParseTimeSpec("2026-11-21T05:00:00")).wall_ns, 1795237200'000000000);
}

TEST(TimeSpec, Errors) {
  EXPECT_EQ(ErrorOf(ParseTimeSpec("soon")), "column 1: expected seconds from the start, or a date like 2026-11-21T05:00:00Z, found 'soon'");
  EXPECT_EQ(ErrorOf(ParseTimeSpec("2026-13-01T00:00:00Z")), "column 11: expected a date YYYY-MM-DD, found 'T00:00:00Z'");
  EXPECT_EQ(ErrorOf(ParseTimeSpec("2026-11-21T05:00:00+1")), "column 22: expected a UTC offset like +01:00, found end of line");
}

TEST(TimeSpec, FormatUtcKeepsNanosecondsWhenPresent) {
  EXPECT_EQ(FormatUtc(1795237200'000001000), "2026-11-21T05:00:00.000001Z");
  EXPECT_EQ(FormatUtc(1795237200'000000001), "2026-11-21T05:00:00.000000001Z");
}

TEST(Duration, UnitsCompoundBareSecondsAndSign) {
  EXPECT_EQ(ParseDurationMs("90s", true, false), 90'000);
  EXPECT_EQ(ParseDurationMs("10m", true, false), 600'000);
  EXPECT_EQ(ParseDurationMs("24h", true, false), 86'400'000);
  EXPECT_EQ(ParseDurationMs("1h2m3s500ms", false, false), 3'723'500);
  EXPECT_EQ(ParseDurationMs("15", true, false), 15'000) << "a bare number is seconds on the command line";
  EXPECT_EQ(ParseDurationMs("15", false, false), std::nullopt) << "scenarios always name the unit";
  EXPECT_EQ(ParseDurationMs("-2h", false, true), -7'200'000);
  EXPECT_EQ(ParseDurationMs("-2h", true, false), std::nullopt);
  EXPECT_EQ(ParseDurationMs("1m30", true, false), std::nullopt) << "only a lone number may go without a unit";
  EXPECT_EQ(ParseDurationMs("soon", true, true), std::nullopt);
  EXPECT_EQ(ParseDurationMs("", true, true), std::nullopt);
}

TEST(CanBusSpec, SocketCanAndSlcanWithBitrate) {
  auto can0 = std::get<bus::CanBusSpec>(bus::ParseCanBusSpec("can0"));
  EXPECT_EQ(can0.kind, bus::CanBusKind::kSocketCan);
  EXPECT_EQ(can0.device, "can0");
  auto slcan = std::get<bus::CanBusSpec>(bus::ParseCanBusSpec("slcan:/dev/ttyACM0@250000"));
  EXPECT_EQ(slcan.kind, bus::CanBusKind::kSlcan);
  EXPECT_EQ(slcan.device, "/dev/ttyACM0");
  EXPECT_EQ(slcan.bitrate_bps, 250000u);
  EXPECT_EQ(std::get<bus::CanBusSpec>(bus::ParseCanBusSpec("slcan:/dev/ttyUSB1")).bitrate_bps, 500000u);
}

TEST(CanBusSpec, UnsupportedBitrateSaysWhichAreSupported) {
  EXPECT_EQ(ErrorOf(bus::ParseCanBusSpec("slcan:/dev/ttyACM0@333333")),
            "column 20: expected a bit rate slcan supports: 10000, 20000, 50000, 100000, 125000, 250000, 500000, "
            "800000 or 1000000, found '333333'");
}

}  // namespace
}  // namespace packtwin

namespace packtwin {
namespace {

TEST(TimeSpec, OneGrammarForTimesDurationsAndTimesOfDay) {
  const int64_t start = 1'795'237'200'000'000'000;  // 2026-11-21T05:00:00Z
  auto resolve = [&](const char* text) { return std::get<TimeSpec>(ParseTimeSpec(text)).Resolve(start); };
  EXPECT_EQ(resolve("90"), start + 90'000'000'000);
  EXPECT_EQ(resolve("1m30s"), start + 90'000'000'000);
  EXPECT_EQ(resolve("2h"), start + 7'200'000'000'000);
  EXPECT_EQ(resolve("1d"), start + 86'400'000'000'000);
  EXPECT_EQ(resolve("06:30:00"), start + 5'400'000'000'000) << "that time of day on the log's first day";
  EXPECT_EQ(resolve("2026-11-21T05:00:30Z"), start + 30'000'000'000);
}

TEST(TimeSpec, ValuesThatWouldOverflowAreErrorsNotWrappedTimes) {
  EXPECT_TRUE(std::holds_alternative<ParseError>(ParseTimeSpec("18446744074")));
  EXPECT_TRUE(std::holds_alternative<ParseError>(ParseTimeSpec("2263-01-01T00:00:00Z")));
  EXPECT_TRUE(std::holds_alternative<ParseError>(ParseTimeSpec("1600-01-01T00:00:00Z")));
  EXPECT_FALSE(ParseDurationMs("999999999d", false, false).has_value());
  const auto far = std::get<TimeSpec>(ParseTimeSpec("9000000000"));
  EXPECT_EQ(far.Resolve(INT64_MAX - 5), INT64_MAX) << "saturates";
  const auto time_of_day = std::get<TimeSpec>(ParseTimeSpec("05:30:00"));  // found by fuzz_specs
  EXPECT_EQ(time_of_day.Resolve(INT64_MIN), INT64_MIN);
  EXPECT_GT(time_of_day.Resolve(INT64_MAX), INT64_MAX - 2 * 86'400'000'000'000LL) << "no wrap";
}

}  // namespace
}  // namespace packtwin
