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

  eventlog::AscFrameLine Frame(const std::string& line) {
    auto parsed = parser_.ParseLine(line);
    if (auto* error = std::get_if<ParseError>(&parsed)) ADD_FAILURE() << line << ": " << error->Describe();
    EXPECT_TRUE(std::holds_alternative<eventlog::AscFrameLine>(parsed)) << line;
    return std::holds_alternative<eventlog::AscFrameLine>(parsed) ? std::get<eventlog::AscFrameLine>(parsed) : eventlog::AscFrameLine{};
  }
  std::string Error(const std::string& line) {
    auto parsed = parser_.ParseLine(line);
    auto* error = std::get_if<ParseError>(&parsed);
    return error ? error->Describe() : "no error";
  }
  eventlog::AscParser parser_;
};

TEST_F(AscFormat, PythonCanHeaderSetsAbsoluteStart) {
  EXPECT_TRUE(std::holds_alternative<eventlog::AscHeaderLine>(parser_.ParseLine("date Sat Nov 21 05:00:00.123 am 2026")));
  EXPECT_TRUE(std::holds_alternative<eventlog::AscHeaderLine>(parser_.ParseLine("base hex  timestamps absolute")));
  EXPECT_TRUE(std::holds_alternative<eventlog::AscHeaderLine>(parser_.ParseLine("internal events logged")));
  EXPECT_TRUE(std::holds_alternative<eventlog::AscHeaderLine>(parser_.ParseLine("// version 9.0.0")));
  EXPECT_TRUE(std::holds_alternative<eventlog::AscHeaderLine>(
      parser_.ParseLine("Begin Triggerblock Sat Nov 21 05:00:00.123 am 2026")));
  EXPECT_TRUE(std::holds_alternative<eventlog::AscOtherEvent>(parser_.ParseLine("   0.000000 Start of measurement")));
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
  EXPECT_TRUE(std::holds_alternative<eventlog::AscOtherEvent>(parser_.ParseLine("   1.000000 1  Statistic: D 0 R 0 XD 0")));
  EXPECT_TRUE(std::holds_alternative<eventlog::AscOtherEvent>(parser_.ParseLine("   1.000000 CAN 1 Status:chip status error active")));
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
  std::string text = eventlog::FormatAscHeader(1795237200'000000000) + eventlog::FormatAscFrame(1'250'000'000, 1, frame) + eventlog::FormatAscFooter();
  eventlog::AscParser reader;
  eventlog::AscFrameLine seen;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    auto parsed = reader.ParseLine(std::string_view(text).substr(start, end - start));
    ASSERT_FALSE(std::holds_alternative<ParseError>(parsed)) << text;
    if (auto* line = std::get_if<eventlog::AscFrameLine>(&parsed)) seen = *line;
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
  EXPECT_EQ(eventlog::ParseAscDate("Di Okt 06 01:02:03.500 pm 2026"), 1791291723'500000000);
  EXPECT_EQ(eventlog::ParseAscDate("Sat Nov 21 12:00:00 am 2026"), 1795219200'000000000);
  EXPECT_FALSE(eventlog::ParseAscDate("Sat Nov 21 13:00:00 pm 2026").has_value());
}

}  // namespace
}  // namespace packtwin

namespace packtwin {
namespace {

// CANoe's full grammar for CAN and CAN FD lines, as other projects' test
// files hold it (python-can's test/data, CANoe 9-12 exports).
class AscCanoeGrammar : public ::testing::Test {
 protected:
  eventlog::AscFrameLine Frame(const std::string& line) {
    auto parsed = parser_.ParseLine(line);
    if (auto* error = std::get_if<ParseError>(&parsed)) ADD_FAILURE() << line << ": " << error->Describe();
    return std::holds_alternative<eventlog::AscFrameLine>(parsed) ? std::get<eventlog::AscFrameLine>(parsed) : eventlog::AscFrameLine{};
  }
  eventlog::AscParser parser_;
};

TEST_F(AscCanoeGrammar, RemoteFrameWithAttributesAndNoDlc) {
  auto bare = Frame("   2.510001 2 100 Tx r");
  EXPECT_TRUE(bare.frame.rtr());
  EXPECT_EQ(bare.frame.dlc(), 0u);
  auto attributes = Frame("   2.520002 3 200 Tx r Length = 1704000 BitCount = 145 ID = 88888888x");
  EXPECT_TRUE(attributes.frame.rtr());
  EXPECT_EQ(attributes.frame.id(), 0x200u);
  EXPECT_EQ(attributes.frame.dlc(), 0u);
  auto with_dlc = Frame("   2.584921 4 300 Rx r 8 Length = 1704000 BitCount = 145 ID = 88888888x");
  EXPECT_EQ(with_dlc.frame.dlc(), 8u);
  EXPECT_EQ(with_dlc.frame.direction(), v1::DIRECTION_RX);
}

TEST_F(AscCanoeGrammar, DataFrameWithTrailingAttributesAndRawDlc) {
  auto frame = Frame("   3.098426 1  18EBFF00x       Rx d 8 01 A0 0F A6 60 3B D1 40    Length = 273910 BitCount = 141 ID = 418119424x");
  EXPECT_EQ(frame.frame.id(), 0x18EBFF00u);
  EXPECT_EQ(frame.frame.data().size(), 8u);
  auto raw = Frame("  13.258671 1  3FF             Tx   d D 55 AA 01 02 03 04 05 06  Length = 232016 BitCount = 119 ID = 1023");
  EXPECT_EQ(raw.frame.dlc(), 0xDu);
  EXPECT_EQ(raw.frame.data().size(), 8u);
}

TEST_F(AscCanoeGrammar, ErrorFramesAreBusErrorsAsAsc2logReadsThem) {
  for (const char* line : {"   2.501000 1 ErrorFrame", "   2.501010 1 ErrorFrame ECC: 10100010",
                           "   2.501020 2 ErrorFrame Flags = 0xe CodeExt = 0x20a2 Code = 0x82 ID = 0 DLC = 0 "
                           "Position = 5 Length = 11300"}) {
    auto frame = Frame(line);
    EXPECT_TRUE(frame.frame.error()) << line;
    EXPECT_EQ(frame.frame.id(), 0x80u) << "CAN_ERR_BUSERROR, as can-utils' asc2log";
    EXPECT_EQ(frame.frame.data(), std::string(8, '\0'));
  }
}

TEST_F(AscCanoeGrammar, CanFdErrorFrameKeepsFdAndDirection) {
  auto frame = Frame("  30.806898 CANFD   5 Tx ErrorFrame Not Acknowledge error, dominant error flag fffe c7 31ca "
                     "Arb. 556 44 0 0 f 64 00 00 00 00 1331984 11 0 46500250 460a0250 20011736 20010205");
  EXPECT_TRUE(frame.frame.error());
  EXPECT_TRUE(frame.frame.fd());
  EXPECT_EQ(frame.frame.direction(), v1::DIRECTION_TX);
  EXPECT_EQ(frame.frame.channel(), "can4");
}

TEST_F(AscCanoeGrammar, CanFdLineWithDataLengthZeroIsARemoteFrame) {
  auto frame = Frame("  30.300981 CANFD   3 Tx     50005x                                0 0 5 0 140000 73 200050 7a60 "
                     "46500250 460a0250 20011736 20010205");
  EXPECT_TRUE(frame.frame.rtr());
  EXPECT_FALSE(frame.frame.fd()) << "remote frames exist only in classic CAN";
  EXPECT_EQ(frame.frame.dlc(), 5u);
  EXPECT_EQ(frame.frame.id(), 0x50005u);
  EXPECT_TRUE(frame.frame.extended());
}

TEST_F(AscCanoeGrammar, CanFdFlagsWithoutEdlMarkAClassicFrameOnAnFdChannel) {
  auto classic = Frame("  31.000000 CANFD   1 Rx        123                                   0 0 2  2 11 22   "
                       "102203  133   200000 e0006659 46500250 4b140250 20011736 2001040d");
  EXPECT_FALSE(classic.frame.fd());
  auto fd = Frame("  30.005071 CANFD   2 Rx        300  Generic_Name_12                  1 0 8  8 01 02 03 04 05 06 07 08"
                  "   102203  133   303000 e0006659 46500250 4b140250 20011736 2001040d");
  EXPECT_TRUE(fd.frame.fd());
  EXPECT_EQ(fd.frame.fd_flags(), 1u) << "BRS";
  auto zero_flags = Frame("  30.506898 CANFD   4 Rx        4EE                                   0 0 f 64 " +
                          [] {
                            std::string data;
                            for (int i = 0; i < 64; ++i) data += "00 ";
                            return data;
                          }() +
                          "1331984 11 0 46500250 460a0250 20011736 20010205");
  EXPECT_TRUE(zero_flags.frame.fd()) << "64 bytes: FD whatever the flags say";
}

TEST_F(AscCanoeGrammar, FdErrorFrameExportKeepsDirectionAndFd) {
  v1::CanFrame frame;
  frame.set_error(true);
  frame.set_fd(true);
  frame.set_direction(v1::DIRECTION_TX);
  const std::string line = eventlog::FormatAscFrame(1'000'000'000, 5, frame);
  EXPECT_EQ(line, "   1.000000 CANFD   5 Tx   ErrorFrame\n");
  auto back = Frame(line.substr(0, line.size() - 1));
  EXPECT_TRUE(back.frame.error() && back.frame.fd());
  EXPECT_EQ(back.frame.direction(), v1::DIRECTION_TX);
}

}  // namespace
}  // namespace packtwin
