// The candump log format: every form can-utils writes or reads, and the exact
// error for each kind of malformed line.
#include "packtwin/eventlog/candump_format.h"

#include <gtest/gtest.h>

namespace packtwin {
namespace {

eventlog::CandumpFrameLine ParseFrame(const std::string& line) {
  auto parsed = eventlog::ParseCandumpLine(line);
  if (auto* error = std::get_if<ParseError>(&parsed)) {
    ADD_FAILURE() << line << ": " << error->Describe();
    return {};
  }
  auto& result = std::get<eventlog::CandumpLine>(parsed);
  EXPECT_TRUE(std::holds_alternative<eventlog::CandumpFrameLine>(result)) << line;
  return std::holds_alternative<eventlog::CandumpFrameLine>(result) ? std::get<eventlog::CandumpFrameLine>(result) : eventlog::CandumpFrameLine{};
}

std::string ErrorOf(const std::string& line) {
  auto parsed = eventlog::ParseCandumpLine(line);
  auto* error = std::get_if<ParseError>(&parsed);
  return error ? error->Describe() : "no error";
}

TEST(CandumpFormat, ClassicStandardFrame) {
  auto line = ParseFrame("(1436509053.850870) can0 123#DEADBEEF");
  EXPECT_EQ(line.time_ns, 1436509053850870000);
  EXPECT_EQ(line.timestamp_digits, 6);
  EXPECT_EQ(line.frame.channel(), "can0");
  EXPECT_EQ(line.frame.id(), 0x123u);
  EXPECT_FALSE(line.frame.extended());
  EXPECT_EQ(line.frame.dlc(), 4u);
  EXPECT_EQ(line.frame.data(), std::string("\xDE\xAD\xBE\xEF"));
  EXPECT_EQ(line.frame.direction(), v1::DIRECTION_UNSPECIFIED);
}

TEST(CandumpFormat, ExtendedFrameHasEightDigitId) {
  auto line = ParseFrame("(1436509053.850870) can0 12345678#00");
  EXPECT_TRUE(line.frame.extended());
  EXPECT_EQ(line.frame.id(), 0x12345678u);
}

TEST(CandumpFormat, EmptyDataFrame) {
  auto line = ParseFrame("(1436509053.850870) can0 123#");
  EXPECT_EQ(line.frame.dlc(), 0u);
  EXPECT_TRUE(line.frame.data().empty());
}

TEST(CandumpFormat, RemoteFramesWithAndWithoutLength) {
  auto bare = ParseFrame("(1.000000) can0 123#R");
  EXPECT_TRUE(bare.frame.rtr());
  EXPECT_EQ(bare.frame.dlc(), 0u);
  auto seven = ParseFrame("(1.000000) can0 123#R7");
  EXPECT_TRUE(seven.frame.rtr());
  EXPECT_EQ(seven.frame.dlc(), 7u);
  auto lower = ParseFrame("(1.000000) can0 7A1#r");
  EXPECT_TRUE(lower.frame.rtr());
}

TEST(CandumpFormat, RawDlcAfterEightBytes) {
  auto line = ParseFrame("(1.000000) can0 123#1122334455667788_E");
  EXPECT_EQ(line.frame.dlc(), 0xEu);
  EXPECT_EQ(line.frame.data().size(), 8u);
  auto remote = ParseFrame("(1.000000) can0 123#R8_9");
  EXPECT_TRUE(remote.frame.rtr());
  EXPECT_EQ(remote.frame.dlc(), 9u);
}

TEST(CandumpFormat, ErrorFrameCarriesErrorFlagInId) {
  auto line = ParseFrame("(1.000000) can0 20000080#0000000000000000");
  EXPECT_TRUE(line.frame.error());
  EXPECT_FALSE(line.frame.extended());
  EXPECT_EQ(line.frame.id(), 0x80u);
  EXPECT_EQ(eventlog::FormatCandumpFrame(line.frame), "20000080#0000000000000000");
}

TEST(CandumpFormat, CanFdOldStyleFlags) {
  auto line = ParseFrame("(1.000000) can0 123##1112233");
  EXPECT_TRUE(line.frame.fd());
  EXPECT_EQ(line.frame.fd_flags(), 1u);  // BRS
  EXPECT_EQ(line.frame.data(), std::string("\x11\x22\x33"));
  EXPECT_EQ(line.frame.dlc(), 3u);
}

TEST(CandumpFormat, CanFdNewStyleFlagsKeepFdfBit) {
  auto line = ParseFrame("(1.000000) can0 123##5112233");
  EXPECT_EQ(line.frame.fd_flags(), 5u);  // FDF | BRS
  EXPECT_EQ(eventlog::FormatCandumpFrame(line.frame), "123##5112233");
}

TEST(CandumpFormat, CanFdLongPayloadGetsFdDlc) {
  std::string data(64 * 2, 'A');
  auto line = ParseFrame("(1.000000) can0 123##0" + data);
  EXPECT_EQ(line.frame.data().size(), 64u);
  EXPECT_EQ(line.frame.dlc(), 15u);
}

TEST(CandumpFormat, NineDecimalTimestamp) {
  auto line = ParseFrame("(1436509053.850870123) can0 123#00");
  EXPECT_EQ(line.time_ns, 1436509053850870123);
  EXPECT_EQ(line.timestamp_digits, 9);
}

TEST(CandumpFormat, PaddedInterfaceNameKeepsItsWidth) {
  auto line = ParseFrame("(1.000000)   can0 123#00");
  EXPECT_EQ(line.frame.channel(), "can0");
  EXPECT_EQ(line.interface_width, 6u);
}

TEST(CandumpFormat, TrailingDirection) {
  EXPECT_EQ(ParseFrame("(1.000000) can0 123#11 R").frame.direction(), v1::DIRECTION_RX);
  EXPECT_EQ(ParseFrame("(1.000000) can0 123#11 T").frame.direction(), v1::DIRECTION_TX);
}

TEST(CandumpFormat, DataSeparatorsAreAccepted) {
  auto line = ParseFrame("(1.000000) can0 123#11.22.33");
  EXPECT_EQ(line.frame.data(), std::string("\x11\x22\x33"));
}

TEST(CandumpFormat, DropcountLineBecomesGap) {
  auto parsed = eventlog::ParseCandumpLine("DROPCOUNT: dropped 3 CAN frames on 'can0' socket (total drops 7)");
  ASSERT_TRUE(std::holds_alternative<eventlog::CandumpLine>(parsed));
  auto drop = std::get<eventlog::CandumpDropLine>(std::get<eventlog::CandumpLine>(parsed));
  EXPECT_EQ(drop.interface, "can0");
  EXPECT_EQ(drop.frames_lost, 3u);
  EXPECT_EQ(drop.total_lost, 7u);
  EXPECT_EQ(eventlog::FormatCandumpDropLine(drop), "DROPCOUNT: dropped 3 CAN frames on 'can0' socket (total drops 7)\n");
  EXPECT_EQ(eventlog::FormatCandumpDropLine({"can1", 1, 1}), "DROPCOUNT: dropped 1 CAN frame on 'can1' socket (total drops 1)\n");
}

TEST(CandumpFormat, FormatsEveryFormAsCanUtilsDoes) {
  for (const std::string text : {"123#DEADBEEF", "12345678#00", "123#R", "123#R7", "123#R8_9", "123#1122334455667788_E",
                                 "20000080#0000000000000000", "123##1112233", "123##5", "123#"}) {
    auto line = ParseFrame("(1.000000) can0 " + text);
    EXPECT_EQ(eventlog::FormatCandumpFrame(line.frame), text);
  }
}

TEST(CandumpFormat, FormatLinePadsTimestampAndInterface) {
  auto line = ParseFrame("(0000000001.000002) can0 123#00 T");
  EXPECT_EQ(eventlog::FormatCandumpLine(line.time_ns, eventlog::CandumpStyle{6, 10, 6}, line.frame), "(0000000001.000002)   can0 123#00 T\n");
  EXPECT_EQ(eventlog::FormatCandumpLine(line.time_ns, eventlog::CandumpStyle{9, 10, 0}, line.frame), "(0000000001.000002000) can0 123#00 T\n");
}

// The malformed-input corpus: each line with the exact error expected.
struct Malformed {
  const char* line;
  const char* error;
};

class CandumpMalformed : public ::testing::TestWithParam<Malformed> {};

TEST_P(CandumpMalformed, ReportsColumnExpectationAndFoundText) {
  EXPECT_EQ(ErrorOf(GetParam().line), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Corpus, CandumpMalformed,
    ::testing::Values(
        Malformed{"1436509053.850870 can0 123#00", "column 1: expected '(' opening the timestamp, found '1436509053.85087'"},
        Malformed{"(1436509053) can0 123#00", "column 12: expected '.' in the timestamp, found ') can0 123#00'"},
        Malformed{"(1436509053.8508) can0 123#00",
                  "column 13: expected 6 or 9 decimal digits after the seconds, found '8508) can0 123#0'"},
        Malformed{"(1436509053.850870 can0 123#00", "column 19: expected ')' closing the timestamp, found ' can0 123#00'"},
        Malformed{"(1.000000) can0", "column 16: expected a space after the interface name, found end of line"},
        Malformed{"(1.000000) can0 12#00", "column 17: expected a CAN id of 3 or 8 hex digits followed by '#', found '12#00'"},
        Malformed{"(1.000000) can0 12G#00", "column 17: expected a CAN id of 3 or 8 hex digits followed by '#', found '12G#00'"},
        Malformed{"(1.000000) can0 800#00", "column 17: expected a standard CAN id 000..7FF, found '800#00'"},
        Malformed{"(1.000000) can0 40000000#00",
                  "column 17: expected an extended CAN id 00000000..1FFFFFFF, found '40000000#00'"},
        Malformed{"(1.000000) can0 60000000#00",
                  "column 17: expected an error frame id 20000000..3FFFFFFF, found '60000000#00'"},
        Malformed{"(1.000000) can0 123#ABC", "column 23: expected data as pairs of hex digits, found 'C'"},
        Malformed{"(1.000000) can0 123#XY", "column 21: expected data as pairs of hex digits, found 'XY'"},
        Malformed{"(1.000000) can0 123#112233445566778899", "column 37: expected at most 8 data bytes, found '99'"},
        Malformed{"(1.000000) can0 123#R9", "column 22: expected a remote frame length 0..8, found '9'"},
        Malformed{"(1.000000) can0 123#11_9", "column 23: expected a raw DLC '_9'..'_F' only after 8 data bytes, found '_9'"},
        Malformed{"(1.000000) can0 123#1122334455667788_8", "column 38: expected a raw DLC digit 9..F, found '8'"},
        Malformed{"(1.000000) can0 123##", "column 22: expected a CAN FD flags digit after '##', found end of line"},
        Malformed{"(1.000000) can0 123##0112233445566778899",
                  "column 23: expected a CAN FD length (0..8, 12, 16, 20, 24, 32, 48 or 64 bytes), found '1122334455667788'"},
        Malformed{"(1.000000) can0 20000080#R", "column 26: expected error frame data, not a remote request, found 'R'"},
        Malformed{"(1.000000) can0 123#11 X", "column 24: expected direction 'R' or 'T', found 'X'"},
        Malformed{"(1.000000) can0 123#11 RX", "column 25: expected end of line after the direction, found 'X'"},
        Malformed{"(1.000000) can0 123#11\x01", "column 23: expected data as pairs of hex digits, found '\\x01'"},
        Malformed{"DROPCOUNT: dropped many CAN frames", "column 20: expected the number of dropped frames, found 'many CAN frames'"}));

TEST(CandumpFormat, BlankLinesAreSkippedAndCrlfTolerated) {
  auto blank = eventlog::ParseCandumpLine("   ");
  ASSERT_TRUE(std::holds_alternative<eventlog::CandumpLine>(blank));
  EXPECT_TRUE(std::holds_alternative<eventlog::CandumpBlankLine>(std::get<eventlog::CandumpLine>(blank)));
  EXPECT_EQ(ParseFrame("(1.000000) can0 123#00\r").frame.data(), std::string("\x00", 1));
}

}  // namespace
}  // namespace packtwin
