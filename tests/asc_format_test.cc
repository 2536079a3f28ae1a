// Vector ASC as log2asc, python-can's ASCWriter and CANoe write it.
#include "packtwin/eventlog/asc_format.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace packtwin {
namespace {

class AscFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }

  AscFrameLine Frame(const std::string& line) {
    auto parsed = parser_.ParseLine(line);
    if (auto* error = std::get_if<ParseError>(&parsed)) ADD_FAILURE() << line << ": " << error->Describe();
    EXPECT_TRUE(std::holds_alternative<AscFrameLine>(parsed)) << line;
    return std::holds_alternative<AscFrameLine>(parsed) ? std::get<AscFrameLine>(parsed) : AscFrameLine{};
  }
  std::string Error(const std::string& line) {
    auto parsed = parser_.ParseLine(line);
    auto* error = std::get_if<ParseError>(&parsed);
    return error ? error->Describe() : "no error";
  }
  AscParser parser_;
};

TEST_F(AscFormat, PythonCanHeaderSetsAbsoluteStart) {
  EXPECT_TRUE(std::holds_alternative<AscHeaderLine>(parser_.ParseLine("date Sat Nov 21 05:00:00.123 am 2026")));
  EXPECT_TRUE(std::holds_alternative<AscHeaderLine>(parser_.ParseLine("base hex  timestamps absolute")));
  EXPECT_TRUE(std::holds_alternative<AscHeaderLine>(parser_.ParseLine("internal events logged")));
  EXPECT_TRUE(std::holds_alternative<AscHeaderLine>(parser_.ParseLine("// version 9.0.0")));
  EXPECT_TRUE(std::holds_alternative<AscHeaderLine>(
      parser_.ParseLine("Begin Triggerblock Sat Nov 21 05:00:00.123 am 2026")));
  EXPECT_TRUE(std::holds_alternative<AscOtherEvent>(parser_.ParseLine("   0.000000 Start of measurement")));
  auto frame = Frame("   0.500000 1  123             Rx   d 4 DE AD BE EF");
  EXPECT_EQ(frame.time_ns, 1795237200'623000000);
  EXPECT_EQ(frame.channel, 1u);
  EXPECT_EQ(frame.frame.channel(), "can0");
  EXPECT_EQ(frame.frame.id(), 0x123u);
  EXPECT_EQ(frame.frame.data(), std::string("\xDE\xAD\xBE\xEF"));
  EXPECT_EQ(frame.frame.direction(), v1::DIRECTION_RX);
}

TEST_F(AscFormat, Log2ascHeaderWithoutMilliseconds) {
  parser_.ParseLine("date Tue Nov 14 22:13:20 2023");
  parser_.ParseLine("base hex  timestamps absolute");
  parser_.ParseLine("no internal events logged");
  EXPECT_EQ(Frame("   0.000001 1  12345678x       Rx   d 1 00").time_ns, 1700000000'000001000);
}

TEST_F(AscFormat, RemoteErrorAndTxFrames) {
  auto remote = Frame("   0.600000 2  1ABx            Tx   r 3");
  EXPECT_TRUE(remote.frame.rtr());
  EXPECT_TRUE(remote.frame.extended());
  EXPECT_EQ(remote.frame.dlc(), 3u);
  EXPECT_EQ(remote.frame.channel(), "can1");
  EXPECT_EQ(remote.frame.direction(), v1::DIRECTION_TX);
  EXPECT_TRUE(Frame("   0.700000 1  ErrorFrame").frame.error());
}

TEST_F(AscFormat, CanFdLineWithAndWithoutSymbolicName) {
  auto fd = Frame("   0.800000 CANFD   1 Rx        123                                   1 0 3  3 11 22 33        0    0     3000        0        0        0        0        0");
  EXPECT_TRUE(fd.frame.fd());
  EXPECT_EQ(fd.frame.fd_flags(), 1u);
  EXPECT_EQ(fd.frame.data(), std::string("\x11\x22\x33"));
  auto named = Frame("   0.900000 CANFD   1 Rx        123  EngineData  0 1 9 12 00 01 02 03 04 05 06 07 08 09 0A 0B 0 0 0");
  EXPECT_EQ(named.frame.fd_flags(), 2u);
  EXPECT_EQ(named.frame.dlc(), 9u);
  EXPECT_EQ(named.frame.data().size(), 12u);
}

TEST_F(AscFormat, DecimalBaseAndRelativeTimestamps) {
  parser_.ParseLine("base dec  timestamps relative");
  auto first = Frame("   1.000000 1  291             Rx   d 2 17 255");
  EXPECT_EQ(first.frame.id(), 291u);
  EXPECT_EQ(first.frame.data(), std::string("\x11\xFF"));
  EXPECT_EQ(Frame("   0.500000 1  291             Rx   d 0").time_ns, 1'500'000'000);
}

TEST_F(AscFormat, VectorTrailingFieldsAfterDataAreIgnored) {
  auto frame = Frame("   2.501000 1  100             Rx   d 2 01 02  Length = 0 BitCount = 0 ID = 256");
  EXPECT_EQ(frame.frame.data(), std::string("\x01\x02"));
}

TEST_F(AscFormat, StatusAndStatisticLinesAreOtherEvents) {
  EXPECT_TRUE(std::holds_alternative<AscOtherEvent>(parser_.ParseLine("   1.000000 1  Statistic: D 0 R 0 XD 0")));
  EXPECT_TRUE(std::holds_alternative<AscOtherEvent>(parser_.ParseLine("   1.000000 CAN 1 Status:chip status error active")));
}

TEST_F(AscFormat, MalformedLinesSayWhatWasExpected) {
  EXPECT_EQ(Error("hello"), "column 1: expected a header line ('date', 'base', ...) or a timestamped event, found 'hello'");
  EXPECT_EQ(Error("date Someday 5"), "column 6: expected a date like 'Sat Nov 21 05:00:00.123 am 2026', found 'Someday 5'");
  EXPECT_EQ(Error("   0.5x 1  123 Rx d 1 00"), "column 7: expected a space after the timestamp, found 'x 1  123 Rx d 1 '");
  EXPECT_EQ(Error("   0.5 1  800             Rx   d 1 00"), "column 11: expected a standard id up to 7FF, found '800             '");
  EXPECT_EQ(Error("   0.5 1  123             Rx   q 1 00"), "column 32: expected 'd' (data) or 'r' (remote), found 'q 1 00'");
  EXPECT_EQ(Error("   0.5 1  123             Rx   d 4 01 02"), "column 41: expected 4 data bytes for DLC 4, found end of line");
  EXPECT_EQ(Error("   0.5 0  123             Rx   d 1 00"), "column 8: expected a channel number 1..255, found '0  123          '");
}

TEST_F(AscFormat, WriterOutputParsesBackToTheSameFrames) {
  v1::CanFrame frame;
  frame.set_channel("can0");
  frame.set_id(0x1AB);
  frame.set_extended(true);
  frame.set_dlc(2);
  frame.set_data("\x01\x02");
  std::string text = FormatAscHeader(1795237200'000000000) + FormatAscFrame(1'250'000'000, 1, frame) + FormatAscFooter();
  AscParser reader;
  AscFrameLine seen;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    auto parsed = reader.ParseLine(std::string_view(text).substr(start, end - start));
    ASSERT_FALSE(std::holds_alternative<ParseError>(parsed)) << text;
    if (auto* line = std::get_if<AscFrameLine>(&parsed)) seen = *line;
    start = end + 1;
  }
  EXPECT_EQ(seen.time_ns, 1795237201'250000000);
  EXPECT_EQ(seen.frame.id(), 0x1ABu);
  EXPECT_TRUE(seen.frame.extended());
  EXPECT_EQ(seen.frame.data(), "\x01\x02");
}

TEST(AscDate, GermanMonthsAndTwelveHourClock) {
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(ParseAscDate("Di Okt 06 01:02:03.500 pm 2026"), 1791291723'500000000);
  EXPECT_EQ(ParseAscDate("Sat Nov 21 12:00:00 am 2026"), 1795219200'000000000);
  EXPECT_FALSE(ParseAscDate("Sat Nov 21 13:00:00 pm 2026").has_value());
}

}  // namespace
}  // namespace packtwin
