// can-protocol.md: id = (function << 7) | node; node 0x01..0x7E, 0x7F = all
// nodes; receivers match ids exactly, never with a partial mask.
#include "packtwin/firmware/can_v1_id.h"

#include <gtest/gtest.h>

#include <string>

namespace packtwin::firmware {
namespace {

std::string Name(uint32_t id) {
  const char* name = CanV1FrameName(ClassifyCanV1Id(id, false, false, false));
  return name ? name : "";
}

TEST(CanProtocolIds, IdIsFunctionShiftedSevenOrNode) {
  auto id = ClassifyCanV1Id(0x1AA, false, false, false);
  EXPECT_TRUE(id.valid);
  EXPECT_EQ(id.function, CanFunction::kTelBatt);
  EXPECT_EQ(id.node, 0x2A);
}

TEST(CanProtocolIds, EveryFunctionOfTheTableHasItsName) {
  EXPECT_EQ(Name(0x02A), "COMMAND");
  EXPECT_EQ(Name(0x0AA), "ALARM");
  EXPECT_EQ(Name(0x101), "TIME");
  EXPECT_EQ(Name(0x1AA), "TEL_BATT");
  EXPECT_EQ(Name(0x22A), "TEL_POWER");
  EXPECT_EQ(Name(0x2AA), "TEL_LOADS");
  EXPECT_EQ(Name(0x351), "FLEET");
  EXPECT_EQ(Name(0x3AA), "ACK");
  EXPECT_EQ(Name(0x42A), "RELAY_EVT");
  EXPECT_EQ(Name(0x72A), "HEARTBEAT");
}

TEST(CanProtocolIds, NodeRangeIsOneToSevenEAndSevenFIsBroadcastCommandOnly) {
  EXPECT_EQ(Name(0x07F), "COMMAND");  // 0x07F = all nodes
  EXPECT_EQ(Name(0x1FF), "");         // a pack never sends as node 0x7F
  EXPECT_EQ(Name(0x180), "");         // node 0 is never valid
  EXPECT_EQ(Name(0x001), "COMMAND");
  EXPECT_EQ(Name(0x77E), "HEARTBEAT");
}

TEST(CanProtocolIds, UnusedFunctionsAreNotOurFrames) {
  for (uint32_t function : {0x9u, 0xAu, 0xBu, 0xCu, 0xDu, 0xFu}) EXPECT_EQ(Name((function << 7) | 0x2A), "") << function;
}

TEST(CanProtocolIds, ExactMatchingNotThe25PartialMask) {
  // Field defect 5: (id & 0x200) == 0x200 acted on 0x300-0x3FF and 0x600-0x7FF.
  // Only function 0x0 is a COMMAND here.
  EXPECT_NE(ClassifyCanV1Id(0x32A, false, false, false).function, CanFunction::kCommand);
  EXPECT_FALSE(ClassifyCanV1Id(0x62A, false, false, false).valid);
}

TEST(CanProtocolIds, ExtendedRemoteAndErrorFramesAreNeverProtocolV1) {
  EXPECT_FALSE(ClassifyCanV1Id(0x1AA, true, false, false).valid);
  EXPECT_FALSE(ClassifyCanV1Id(0x1AA, false, true, false).valid);
  EXPECT_FALSE(ClassifyCanV1Id(0x1AA, false, false, true).valid);
  EXPECT_FALSE(ClassifyCanV1Id(0x800, false, false, false).valid);
}

}  // namespace
}  // namespace packtwin::firmware
