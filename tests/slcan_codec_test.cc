// The slcan codec both ways: what replay transmits is what record reads back.
#include "packtwin/bus/slcan_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace packtwin::bus {
namespace {

v1::CanFrame Frame(uint32_t id, bool extended, bool rtr, uint32_t dlc, std::string data) {
  v1::CanFrame frame;
  frame.set_id(id);
  frame.set_extended(extended);
  frame.set_rtr(rtr);
  frame.set_dlc(dlc);
  frame.set_data(std::move(data));
  return frame;
}

TEST(SlcanCodec, TransmitLinesAreWhatTheAdapterExpects) {
  EXPECT_EQ(SlcanTransmitLine(Frame(0x123, false, false, 2, "\x01\xAB")), "t123201AB");
  EXPECT_EQ(SlcanTransmitLine(Frame(0x18FF50E5, true, false, 0, "")), "T18FF50E50");
  EXPECT_EQ(SlcanTransmitLine(Frame(0x7FF, false, true, 8, "")), "r7FF8");
  EXPECT_EQ(SlcanTransmitLine(Frame(0x1, true, true, 3, "")), "R000000013");
}

TEST(SlcanCodec, FdAndErrorFramesHaveNoTransmitLine) {
  v1::CanFrame fd = Frame(0x100, false, false, 9, std::string(12, 'x'));
  fd.set_fd(true);
  EXPECT_EQ(SlcanTransmitLine(fd), "");
  v1::CanFrame error = Frame(0x80, false, false, 8, std::string(8, '\0'));
  error.set_error(true);
  EXPECT_EQ(SlcanTransmitLine(error), "");
}

TEST(SlcanCodec, EveryTransmitLineParsesBackToTheSameFrame) {
  std::vector<v1::CanFrame> frames;
  for (uint32_t length = 0; length <= 8; ++length) {
    std::string data;
    for (uint32_t i = 0; i < length; ++i) data.push_back(static_cast<char>(0xF0 + i));
    frames.push_back(Frame(0x000 + length, false, false, length, data));
    frames.push_back(Frame(0x1FFFFFF0 + length, true, false, length, data));
    frames.push_back(Frame(0x700 + length, false, true, length, ""));
    frames.push_back(Frame(0x12345 + length, true, true, length, ""));
  }
  for (const v1::CanFrame& frame : frames) {
    const std::string line = SlcanTransmitLine(frame);
    const SlcanItem item = ParseSlcanLine(line);
    const auto* parsed = std::get_if<SlcanFrame>(&item);
    ASSERT_NE(parsed, nullptr) << line;
    EXPECT_EQ(parsed->frame.SerializeAsString(), frame.SerializeAsString()) << line;
    EXPECT_FALSE(parsed->has_timestamp);
  }
}

TEST(SlcanCodec, ReceivedLinesWithTimestampAndRepliesAreTold) {
  SlcanParser parser;
  std::vector<SlcanItem> items;
  const std::string bytes = "t1232AABB1F40\r\a\rV1013\rt12\r";
  parser.Feed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), [&](const SlcanItem& item) { items.push_back(item); });
  ASSERT_EQ(items.size(), 5u);
  const auto* frame = std::get_if<SlcanFrame>(&items[0]);
  ASSERT_NE(frame, nullptr);
  EXPECT_TRUE(frame->has_timestamp);
  EXPECT_EQ(frame->timestamp_ms, 0x1F40);
  EXPECT_TRUE(std::holds_alternative<SlcanError>(items[1]));
  EXPECT_TRUE(std::holds_alternative<SlcanAck>(items[2]));
  EXPECT_TRUE(std::holds_alternative<SlcanOther>(items[3]));
  EXPECT_TRUE(std::holds_alternative<SlcanMalformed>(items[4]));
}

TEST(SlcanCodec, SetupCommandsNameTheBitRate) {
  EXPECT_EQ(SlcanBitrateCommand(500'000), "S6");
  EXPECT_EQ(SlcanBitrateCommand(10'000), "S0");
  EXPECT_EQ(SlcanBitrateCommand(1'000'000), "S8");
  EXPECT_EQ(SlcanBitrateCommand(33'333), "");
}

}  // namespace
}  // namespace packtwin::bus
