// The Modbus RTU tap's framing and pairing (bms-modbus.md: frames separated
// by 3.5 character times; a passive tap pairs each reply with the request
// before it), on byte streams as USB adapters deliver them.
#include <gtest/gtest.h>

#include "packtwin/firmware/modbus_rtu.h"
#include "packtwin/recorder/rtu_pairer.h"
#include "packtwin/recorder/rtu_splitter.h"
#include "rtu_test_util.h"

namespace packtwin::recorder {
namespace {

constexpr int64_t kMs = 1'000'000;

using testing::WithCrc;

const std::string kRequest("\x01\x03\x00\x00\x00\x04\x44\x09", 8);
const std::string kReply = WithCrc(std::string("\x01\x03\x08\x02\x20\x04\xE2\x00\x00\x00\xD7", 11));
const std::string kException = WithCrc(std::string("\x01\x83\x02", 3));

std::vector<RtuFrame> Feed(RtuSplitter& splitter, const std::string& bytes, int64_t at) {
  return splitter.Feed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), at);
}

TEST(RtuSplitter, SilenceIsThreeAndAHalfCharactersAtTheBaudRate) {
  EXPECT_EQ(RtuSplitter(9600).silence_ns(), 3'645'833);  // 35 bits at 9600 baud
  EXPECT_EQ(RtuSplitter(19200).silence_ns(), 1'822'916);
}

TEST(RtuSplitter, BackToBackRequestAndReplyInOneChunkAreSplitByLengthAndCrc) {
  RtuSplitter splitter(9600);
  const auto frames = Feed(splitter, kRequest + kReply, 0);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].bytes, kRequest);
  EXPECT_EQ(frames[1].bytes, kReply);
  EXPECT_TRUE(frames[1].crc_ok);
}

TEST(RtuSplitter, AFrameSplitAcrossUsbChunksIsJoined) {
  RtuSplitter splitter(9600);
  EXPECT_TRUE(Feed(splitter, kReply.substr(0, 6), 0).empty());
  EXPECT_TRUE(splitter.Tick(16 * kMs).empty()) << "short of its length: waits past 3.5 characters";
  const auto frames = Feed(splitter, kReply.substr(6), 16 * kMs);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].bytes, kReply);
}

TEST(RtuSplitter, SilenceEndsAWholeFrameWithABadCrcAsACrcError) {
  RtuSplitter splitter(9600);
  std::string bad = kReply;
  bad.back() ^= 0x01;
  EXPECT_TRUE(Feed(splitter, bad, 0).empty());
  EXPECT_TRUE(splitter.Tick(3 * kMs).empty());
  const auto frames = splitter.Tick(4 * kMs);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_FALSE(frames[0].crc_ok);
  EXPECT_TRUE(frames[0].complete);
}

TEST(RtuSplitter, TruncatedFrameIsReportedAfterTheGracePeriod) {
  RtuSplitter splitter(9600);
  Feed(splitter, kReply.substr(0, 9), 0);
  EXPECT_TRUE(splitter.Tick(49 * kMs).empty());
  const auto frames = splitter.Tick(50 * kMs);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_FALSE(frames[0].complete);
  EXPECT_EQ(frames[0].bytes.size(), 9u);
}

TEST(RtuSplitter, NoiseBeforeAFrameIsReportedAndTheFrameRecovered) {
  RtuSplitter splitter(9600);
  const auto frames = Feed(splitter, std::string("\xFF\x00\x7E", 3) + kRequest, 0);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].bytes, std::string("\xFF\x00\x7E", 3));
  EXPECT_FALSE(frames[0].complete);
  EXPECT_EQ(frames[1].bytes, kRequest);
}

std::vector<RtuExchange> Pair(RtuPairer& pairer, const std::string& bytes, int64_t at, bool crc_ok = true) {
  RtuFrame frame{bytes, at, at, crc_ok, true};
  return pairer.OnFrame(frame);
}

TEST(RtuPairer, ReplyIsPairedWithTheRequestBeforeIt) {
  RtuPairer pairer(500 * kMs);
  EXPECT_TRUE(Pair(pairer, kRequest, 0).empty());
  const auto done = Pair(pairer, kReply, 12 * kMs);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].exchange.status(), v1::MODBUS_OK);
  EXPECT_EQ(done[0].exchange.request(), kRequest);
  EXPECT_EQ(done[0].exchange.reply(), kReply);
  EXPECT_EQ(done[0].exchange.latency_us(), 12'000u);
}

TEST(RtuPairer, ExceptionReply) {
  RtuPairer pairer(500 * kMs);
  Pair(pairer, kRequest, 0);
  EXPECT_EQ(Pair(pairer, kException, kMs)[0].exchange.status(), v1::MODBUS_EXCEPTION);
}

TEST(RtuPairer, ReplyWithBadCrcIsACrcError) {
  RtuPairer pairer(500 * kMs);
  Pair(pairer, kRequest, 0);
  EXPECT_EQ(Pair(pairer, kReply, kMs, false)[0].exchange.status(), v1::MODBUS_CRC_ERROR);
}

TEST(RtuPairer, UnansweredRequestIsATimeoutWhenTheNextRequestComes) {
  RtuPairer pairer(500 * kMs);
  Pair(pairer, kRequest, 0);
  const auto next = Pair(pairer, kRequest, 2000 * kMs);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].exchange.status(), v1::MODBUS_TIMEOUT);
  EXPECT_EQ(next[0].exchange.reply(), "");
  EXPECT_EQ(next[0].at_ns, 2000 * kMs) << "settled when the next request showed it was given up";
}

TEST(RtuPairer, ExceptionWithNoRequestIsUnpaired) {
  RtuPairer pairer(500 * kMs);
  const auto done = Pair(pairer, kException, 0);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].exchange.status(), v1::MODBUS_UNPAIRED);
}

TEST(RtuPairer, GarbledBytesAreMalformedExchanges) {
  RtuPairer pairer(500 * kMs);
  Pair(pairer, kRequest, 0);
  RtuFrame truncated{kReply.substr(0, 7), kMs, kMs, false, false};
  const auto done = pairer.OnFrame(truncated);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].exchange.status(), v1::MODBUS_MALFORMED);
  EXPECT_EQ(done[0].exchange.request(), kRequest);
  EXPECT_EQ(done[0].exchange.reply(), kReply.substr(0, 7));
}

}  // namespace
}  // namespace packtwin::recorder
