// The tap frames every public Modbus function code by the length rules of
// the Modbus application protocol, so a request and its reply arriving back
// to back in one USB chunk are two frames: never merged, never split.
#include <gtest/gtest.h>

#include "packtwin/firmware/modbus_rtu.h"
#include "packtwin/recorder/rtu_pairer.h"
#include "packtwin/recorder/rtu_shapes.h"
#include "packtwin/recorder/rtu_splitter.h"
#include "rtu_test_util.h"

namespace packtwin::recorder {
namespace {

constexpr int64_t kMs = 1'000'000;

using testing::WithCrc;

std::string Hex(std::string_view text) {
  std::string out;
  for (size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

struct Exchange {
  const char* name;
  const char* request;  // hex without CRC
  const char* reply;
};

// Examples from the Modbus application protocol spec, section 6, slave 1.
const Exchange kExchanges[] = {
    {"01 read coils", "010100130013", "010103CD6B05"},
    {"02 read discrete inputs", "010200C40016", "010203ACDB35"},
    {"03 read holding registers", "0103006B0003", "010306022B00000064"},
    {"04 read input registers", "010400080001", "010402000A"},
    {"05 write single coil", "010500ACFF00", "010500ACFF00"},
    {"06 write single register", "010600010003", "010600010003"},
    {"07 read exception status", "0107", "01076D"},
    {"08 diagnostics, return query data (4 bytes)", "01080000A5371234", "01080000A5371234"},
    {"08 diagnostics, clear counters", "0108000A0000", "0108000A0000"},
    {"11 get comm event counter", "010B", "010BFFFF0108"},
    {"12 get comm event log", "010C", "010C080000010801212000"},
    {"15 write multiple coils", "010F0013000A02CD01", "010F0013000A"},
    {"16 write multiple registers", "011000010002 04000A0102", "011000010002"},
    {"17 report server id", "0111", "01110301FF00"},
    {"20 read file record", "01140E0600040001000206000300090002", "01140C05060DFE0020050633CD0040"},
    {"21 write file record", "01150D0600040007000306AF04BE100D", "01150D0600040007000306AF04BE100D"},
    {"22 mask write register", "0116000400F20025", "0116000400F20025"},
    {"23 read/write multiple registers", "011700030006000E00030600FF00FF00FF", "01170C00FE0ACD00010003000D00FF"},
    {"24 read FIFO queue", "011804DE", "01180006000201B81284"},
    {"43/14 read device identification", "012B0E0100",
     "012B0E01010000030006" "56656E646F72" "0104" "50726F64" "0203" "312E30"},
    {"exception reply of 03", "0103006B0003", "018302"},
    {"exception reply of 43", "012B0E0100", "01AB01"},
    {"exception reply of 23", "011700030006000E00030600FF00FF00FF", "019702"},
};

std::string Bytes(const char* hex) {
  std::string compact;
  for (const char* p = hex; *p != 0; ++p) {
    if (*p != ' ') compact.push_back(*p);
  }
  return WithCrc(Hex(compact));
}

TEST(RtuShapes, EveryPublicFunctionCodeRequestAndReplyInOneChunkAreTwoFrames) {
  for (const auto& exchange : kExchanges) {
    const std::string request = Bytes(exchange.request);
    const std::string reply = Bytes(exchange.reply);
    RtuSplitter splitter(9600);
    const std::string both = request + reply;
    auto frames = splitter.Feed(reinterpret_cast<const uint8_t*>(both.data()), both.size(), 0);
    for (auto& late : splitter.Tick(100 * kMs)) frames.push_back(late);
    ASSERT_EQ(frames.size(), 2u) << exchange.name;
    EXPECT_EQ(frames[0].bytes, request) << exchange.name;
    EXPECT_EQ(frames[1].bytes, reply) << exchange.name;
    EXPECT_TRUE(frames[0].crc_ok && frames[0].complete && frames[1].crc_ok && frames[1].complete) << exchange.name;

    RtuPairer pairer(1000 * kMs);
    EXPECT_TRUE(pairer.OnFrame(frames[0]).empty()) << exchange.name;
    frames[1].end_ns = 20 * kMs;
    const auto done = pairer.OnFrame(frames[1]);
    ASSERT_EQ(done.size(), 1u) << exchange.name;
    EXPECT_EQ(done[0].exchange.request(), request) << exchange.name;
    EXPECT_EQ(done[0].exchange.reply(), reply) << exchange.name;
    const bool exception = (static_cast<uint8_t>(reply[1]) & 0x80) != 0;
    EXPECT_EQ(done[0].exchange.status(), exception ? v1::MODBUS_EXCEPTION : v1::MODBUS_OK) << exchange.name;
  }
}

TEST(RtuShapes, AUserDefinedFunctionCodeEndsAtSilenceWithAValidCrc) {
  const std::string request = WithCrc(Hex("01410102030405"));
  const std::string reply = WithCrc(Hex("0141AA"));
  RtuSplitter splitter(9600);
  EXPECT_TRUE(splitter.Feed(reinterpret_cast<const uint8_t*>(request.data()), request.size(), 0).empty());
  auto frames = splitter.Tick(4 * kMs);  // 3.5 characters at 9600 baud
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].bytes, request);
  EXPECT_TRUE(frames[0].complete && frames[0].crc_ok);
  splitter.Feed(reinterpret_cast<const uint8_t*>(reply.data()), reply.size(), 10 * kMs);
  frames = splitter.Tick(14 * kMs);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].bytes, reply);
}

TEST(RtuShapes, AReplyCountThatSaysMoreFollowsWaitsForTheRest) {
  const std::string reply = Bytes(kExchanges[19].reply);  // device identification
  RtuSplitter splitter(9600);
  EXPECT_TRUE(splitter.Feed(reinterpret_cast<const uint8_t*>(reply.data()), 12, 0).empty());
  EXPECT_TRUE(splitter.Tick(16 * kMs).empty()) << "objects still to come: not cut at 3.5 characters";
  const auto frames = splitter.Feed(reinterpret_cast<const uint8_t*>(reply.data()) + 12, reply.size() - 12, 16 * kMs);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].bytes, reply);
}

TEST(RtuShapes, RolesFollowLengthAndFunction) {
  const auto read_request = RtuRolesOf(Bytes("010300000004"));
  EXPECT_TRUE(read_request.request);
  EXPECT_FALSE(read_request.reply);
  const auto read_reply = RtuRolesOf(Bytes("0103080064006500660067"));
  EXPECT_FALSE(read_reply.request) << "a read reply can only be a reply";
  EXPECT_TRUE(read_reply.reply);
  const auto echo = RtuRolesOf(Bytes("010600010003"));
  EXPECT_TRUE(echo.request && echo.reply);
  EXPECT_FALSE(RtuRolesOf(Bytes("018302")).request) << "an exception is a reply";
}

RtuFrame FrameOf(const std::string& bytes, int64_t at_ns) { return RtuFrame{bytes, at_ns, at_ns, true, true}; }

TEST(RtuPairer, AReplyAfterTheWindowIsPairedAsLateWithItsLatency) {
  RtuPairer pairer(500 * kMs);
  pairer.OnFrame(FrameOf(Bytes("010300000004"), 0));
  const auto done = pairer.OnFrame(FrameOf(Bytes("0103080064006500660067"), 800 * kMs));
  ASSERT_EQ(done.size(), 1u) << "one event: never a timeout plus an unpaired reply";
  EXPECT_EQ(done[0].exchange.status(), v1::MODBUS_LATE_REPLY);
  EXPECT_EQ(done[0].exchange.latency_us(), 800'000u);
  EXPECT_EQ(done[0].exchange.request(), Bytes("010300000004"));
}

TEST(RtuPairer, AFrameThatCanOnlyBeAReplyIsNeverARequest) {
  RtuPairer pairer(500 * kMs);
  const auto done = pairer.OnFrame(FrameOf(Bytes("0103080064006500660067"), 0));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].exchange.status(), v1::MODBUS_UNPAIRED);
  EXPECT_EQ(done[0].exchange.request(), "");
}

TEST(RtuPairer, AReplyFromAnotherSlaveIsUnpairedAndTheRequestStillGetsItsOwn) {
  RtuPairer pairer(500 * kMs);
  pairer.OnFrame(FrameOf(Bytes("010300000004"), 0));
  const auto stray = pairer.OnFrame(FrameOf(Bytes("020302002A"), 10 * kMs));
  ASSERT_EQ(stray.size(), 1u);
  EXPECT_EQ(stray[0].exchange.status(), v1::MODBUS_UNPAIRED);
  EXPECT_EQ(stray[0].exchange.reply(), Bytes("020302002A"));
  const auto own = pairer.OnFrame(FrameOf(Bytes("0103080064006500660067"), 20 * kMs));
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0].exchange.status(), v1::MODBUS_OK);
}

TEST(RtuPairer, AnEchoAfterTheWindowIsTheMastersRetryNotAReply) {
  RtuPairer pairer(500 * kMs);
  const std::string write = Bytes("010600010003");
  pairer.OnFrame(FrameOf(write, 0));
  const auto retry = pairer.OnFrame(FrameOf(write, 600 * kMs));
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].exchange.status(), v1::MODBUS_TIMEOUT);
  const auto echo = pairer.OnFrame(FrameOf(write, 620 * kMs));
  ASSERT_EQ(echo.size(), 1u);
  EXPECT_EQ(echo[0].exchange.status(), v1::MODBUS_OK);
}

TEST(RtuPairer, ARequestWaitingWhenRecordingStopsIsPendingAtStopWithinItsWindow) {
  RtuPairer pairer(500 * kMs);
  pairer.OnFrame(FrameOf(Bytes("010300000004"), 0));
  const auto stopped = pairer.Drain(200 * kMs);
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].exchange.status(), v1::MODBUS_PENDING_AT_STOP);
  EXPECT_TRUE(pairer.Drain(300 * kMs).empty());

  pairer.OnFrame(FrameOf(Bytes("010300000004"), 1000 * kMs));
  const auto waited = pairer.Drain(1600 * kMs);
  ASSERT_EQ(waited.size(), 1u);
  EXPECT_EQ(waited[0].exchange.status(), v1::MODBUS_TIMEOUT) << "its window had passed";
}

}  // namespace
}  // namespace packtwin::recorder
