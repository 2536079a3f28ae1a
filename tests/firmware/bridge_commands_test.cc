// bridge-mqtt.md, one test per rule, named after it: app commands through
// the bridge (frames, sequence numbers, results, redeliveries) and bridge
// 1.0's five defects, emulated.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bridge_sim.h"

namespace packtwin::firmware {
namespace {

using testing::Bridge;
using testing::Cmd;
using testing::kWall2026_ms;
using testing::ModeOn;

struct CommandCase {
  BridgeCommand command;
  std::vector<uint8_t> data;  // the COMMAND frame's bytes, seq 0
};

TEST(BridgeCommands, EachCommandGoesOnCanAsItsCommandFrame) {
  std::vector<CommandCase> cases;
  cases.push_back({ModeOn("a", 2), {0x10, 0, 2, 1}});
  BridgeCommand eco = Cmd(BridgeCommandName::kEcoLimit, "b");
  eco.watts = 3000;
  cases.push_back({eco, {0x11, 0, 0xB8, 0x0B}});
  BridgeCommand budget = Cmd(BridgeCommandName::kGridBudget, "c");
  budget.kwh = 12;
  cases.push_back({budget, {0x12, 0, 12}});
  BridgeCommand tou = Cmd(BridgeCommandName::kTouWindow, "d");
  tou.start_h = 22;
  tou.end_h = 6;
  cases.push_back({tou, {0x13, 0, 22, 6}});
  BridgeCommand relay = Cmd(BridgeCommandName::kRelay, "e");
  relay.relay = 3;
  relay.relay_state = 0xFF;
  cases.push_back({relay, {0x14, 0, 3, 0xFF}});
  cases.push_back({Cmd(BridgeCommandName::kResetGridEnergy, "f"), {0x15, 0}});
  cases.push_back({Cmd(BridgeCommandName::kRequestStatus, "g"), {0x16, 0}});
  for (const auto& c : cases) {
    Bridge bridge;
    bridge.ClearSeen();
    bridge.Command(c.command);
    const auto sent = bridge.Sent(CanFunction::kCommand);
    ASSERT_EQ(sent.size(), 1u) << c.command.id.text;
    EXPECT_EQ(sent[0].id, 0x07Fu);
    EXPECT_EQ(std::vector<uint8_t>(sent[0].data, sent[0].data + sent[0].len), c.data) << c.command.id.text;
  }
}

TEST(BridgeCommands, AValidCommandGoesOnCanAtOnceAsOneFrameBroadcastOrToItsNode) {
  Bridge bridge;
  bridge.ClearSeen();
  BridgeCommand to_one = ModeOn("one");
  to_one.node = 0x2A;
  bridge.Command(to_one);
  ASSERT_EQ(bridge.can().size(), 1u) << "in the same step: well within 100 ms";
  EXPECT_EQ(bridge.can()[0].id, 0x02Au);
}

TEST(BridgeCommands, SequenceNumbersGoOnAndWrapAfter255) {
  Bridge bridge;
  bridge.ClearSeen();
  for (int i = 0; i < 258; ++i) {
    bridge.Command(Cmd(BridgeCommandName::kRequestStatus, std::to_string(i).c_str()));
    bridge.AdvanceTo(bridge.now_ms() + 3'000);  // results settle; slots free
  }
  const auto sent = bridge.Sent(CanFunction::kCommand);
  ASSERT_EQ(sent.size(), 258u);
  EXPECT_EQ(sent[0].data[1], 0);
  EXPECT_EQ(sent[255].data[1], 255);
  EXPECT_EQ(sent[256].data[1], 0) << "wraps";
}

TEST(BridgeCommands, ResultAfter2500msIsOkPartialOrFailedByTheAcksOfPacksLiveWhenSent) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Pack(0x2B);
  bridge.Command(ModeOn("ok"));
  bridge.Ack(0x2A, 0x10, 0);
  bridge.Ack(0x2B, 0x10, 0);
  bridge.Pack(0x2C);  // joined after the send: not expected
  bridge.AdvanceTo(2'499);
  EXPECT_TRUE(bridge.Published(BridgeTopic::kResult).empty()) << "not before 2.5 s";
  bridge.AdvanceTo(2'500);
  bridge.Command(ModeOn("partial"));
  bridge.Ack(0x2A, 0x10, 1);
  bridge.Ack(0x2B, 0x10, 1, AckStatus::kRejected);
  bridge.AdvanceTo(5'000);
  bridge.Command(ModeOn("failed"));
  bridge.AdvanceTo(7'500);
  const auto results = bridge.Published(BridgeTopic::kResult);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].result.status, BridgeResultStatus::kOk);
  EXPECT_FALSE(results[0].result.expected.Has(0x2C));
  EXPECT_EQ(results[1].result.status, BridgeResultStatus::kPartial);
  EXPECT_EQ(results[1].result.ack[0x2B], static_cast<uint8_t>(AckStatus::kRejected) + 1);
  EXPECT_EQ(results[2].result.status, BridgeResultStatus::kFailed);
  EXPECT_TRUE(results[2].result.expected.Has(0x2C)) << "missing: expected and silent";
  EXPECT_EQ(results[2].result.ack[0x2C], 0);
}

TEST(BridgeCommands, AnInvalidCommandGetsAnInvalidResultNamingTheKeyAndNothingOnCan) {
  Bridge bridge;
  bridge.ClearSeen();
  BridgeInvalid invalid;
  invalid.has_id = true;
  invalid.id.Set("x1");
  invalid.error.Set("watts: 99 is out of range 100..25000");
  bridge.Invalid(invalid);
  EXPECT_TRUE(bridge.can().empty());
  const auto results = bridge.Published(BridgeTopic::kResult);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result.status, BridgeResultStatus::kInvalid);
  EXPECT_STREQ(results[0].result.error.text, "watts: 99 is out of range 100..25000");
}

TEST(BridgeCommands, ACommandIdSeenInTheLast60sIsNotSentAgainAndItsResultIsPublishedAgain) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Command(ModeOn("press-1"));
  bridge.Ack(0x2A, 0x10, 0);
  bridge.AdvanceTo(3'000);
  bridge.Command(ModeOn("press-1"));  // redelivered by QoS 1
  EXPECT_EQ(bridge.Sent(CanFunction::kCommand).size(), 1u);
  const auto results = bridge.Published(BridgeTopic::kResult);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].result.status, BridgeResultStatus::kOk);
  EXPECT_EQ(results[1].result.seq, 0);
  bridge.AdvanceTo(61'001);
  bridge.Command(ModeOn("press-1"));
  EXPECT_EQ(bridge.Sent(CanFunction::kCommand).size(), 2u) << "after 60 s the id is new again";
}

TEST(BridgeCommands, ASeventeenthCommandWithin2500msIsRefusedAsBusyAndNothingGoesOnCan) {
  Bridge bridge;
  bridge.ClearSeen();
  for (int i = 0; i < 17; ++i) bridge.Command(Cmd(BridgeCommandName::kRequestStatus, std::to_string(i).c_str()));
  EXPECT_EQ(bridge.Sent(CanFunction::kCommand).size(), 16u);
  const auto results = bridge.Published(BridgeTopic::kResult);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result.status, BridgeResultStatus::kFailed);
  EXPECT_STREQ(results[0].result.id.text, "16");
  EXPECT_EQ(std::string(results[0].result.error.text).rfind("busy", 0), 0u);
}

TEST(BridgeDefects, Defect1ModeCommandsGoOutWithOnZero) {
  Bridge bridge(kBridgeDefectModeValueKey);
  bridge.Command(ModeOn("m"));
  const auto sent = bridge.Sent(CanFunction::kCommand);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].data[3], 0);
}

TEST(BridgeDefects, Defect2CommandsGoToTheMastersIdInsteadOfBroadcast) {
  Bridge bridge(kBridgeDefectCommandsToMaster);
  bridge.Pack(0x2A);
  bridge.Pack(0x2B);
  bridge.Command(ModeOn("m"));
  bridge.Ack(0x2B, 0x10, 0);
  bridge.AdvanceTo(3'000);
  const auto sent = bridge.Sent(CanFunction::kCommand);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].id, 0x02Bu);
  EXPECT_EQ(bridge.Published(BridgeTopic::kResult)[0].result.status, BridgeResultStatus::kPartial);
}

TEST(BridgeDefects, Defect3AckFramesAreReadAsTelBattAndPublishedWithABogusSoc) {
  Bridge bridge(kBridgeDefectTelBattByMask);
  bridge.Pack(0x2A);
  bridge.Telemetry(0x2A, 64);
  bridge.Ack(0x2A, 0x10, 7);
  const auto telemetry = bridge.Published(BridgeTopic::kTelemetry);
  ASSERT_EQ(telemetry.size(), 2u);
  EXPECT_EQ(telemetry[1].batt.soc, 0) << "byte 4 of a 3-byte ACK";
  EXPECT_EQ(telemetry[1].batt.pack_cV, 0x0710);
}

TEST(BridgeDefects, Defect4TheAggregateKeepsPacksThatLeft) {
  Bridge bridge(kBridgeDefectAggregateNoTtl);
  bridge.Pack(0x2A);
  bridge.Telemetry(0x2A, 40);
  bridge.AdvanceTo(100'000);
  bridge.Pack(0x2B, 1);
  bridge.Telemetry(0x2B, 80);
  bridge.AdvanceTo(200'000);  // 0x2A left at 120 s
  bridge.Pack(0x2B, 1);
  bridge.Frame(EncodeFleet({0x2B, 1, 80, -80, 0, 12}));
  const auto aggregate = bridge.Published(BridgeTopic::kAggregate);
  ASSERT_EQ(aggregate.size(), 1u);
  EXPECT_EQ(aggregate[0].aggregate.packs_online, 2) << "counts 0x2A, which left";
  EXPECT_EQ(aggregate[0].aggregate.avg_soc, 60);
}

TEST(BridgeDefects, Defect5ARedeliveredCommandGoesOnCanAgain) {
  Bridge bridge(kBridgeDefectResendsRedelivered);
  bridge.Command(ModeOn("press-1"));
  bridge.Command(ModeOn("press-1"));
  EXPECT_EQ(bridge.Sent(CanFunction::kCommand).size(), 2u);
}

// Defect 3 reads any standard data frame with id bits 0x180 set as TEL_BATT;
// an extended or remote frame with those bits is not a standard data frame.
TEST(BridgeDefects, Defect3LeavesExtendedAndRemoteFramesAlone) {
  Bridge bridge(kBridgeDefectTelBattByMask);
  bridge.ClearSeen();
  CanFrame ack = EncodeAck({0x2A, 0x10, 1, 0});
  ack.extended = true;
  bridge.Frame(ack);
  ack.extended = false;
  ack.remote = true;
  bridge.Frame(ack);
  EXPECT_TRUE(bridge.Published(BridgeTopic::kTelemetry).empty());
}

// An ACK counts once per node, and only for the command it answers.
TEST(BridgeCommands, AnAckForNoPendingCommandOrASecondAckFromTheSameNodeChangesNothing) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Ack(0x2A, 0x10, 9);  // nothing was sent
  bridge.Command(ModeOn("once"));
  bridge.Ack(0x2A, 0x10, 0);
  bridge.Ack(0x2A, 0x10, 0, AckStatus::kRejected);  // a second answer does not overwrite the first
  bridge.AdvanceTo(2'500);
  const auto results = bridge.Published(BridgeTopic::kResult);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result.status, BridgeResultStatus::kOk);
}

// A redelivery before the first delivery's result: nothing on CAN, no result yet.
TEST(BridgeCommands, ARedeliveryBeforeItsResultWaitsForItAndGoesNotOnCan) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Command(ModeOn("early"));
  bridge.Command(ModeOn("early"));
  EXPECT_EQ(bridge.Sent(CanFunction::kCommand).size(), 1u);
  EXPECT_TRUE(bridge.Published(BridgeTopic::kResult).empty());
}

// Defect 2 addresses "all" to the master; with no master there is none to address.
TEST(BridgeDefects, Defect2WithoutAMasterStillBroadcasts) {
  Bridge bridge(kBridgeDefectCommandsToMaster);
  bridge.Command(ModeOn("m"));
  const auto sent = bridge.Sent(CanFunction::kCommand);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].id, 0x07Fu);
}

// The packs a result expects: addressed, live, and Energy-Packs (not gateways).
TEST(BridgeCommands, AResultExpectsOnlyLiveEnergyPacksItAddressed) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Pack(0x2B);
  bridge.Frame(EncodeHeartbeat({0x30, 2, 1, 0, 2, 0x3030}));  // a gateway
  bridge.Command(Cmd(BridgeCommandName::kRequestStatus, "to-2a", 0x2A));
  bridge.Command(Cmd(BridgeCommandName::kRequestStatus, "all"));
  bridge.AdvanceTo(2'500);
  const auto results = bridge.Published(BridgeTopic::kResult);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].result.expected.Has(0x2A));
  EXPECT_FALSE(results[0].result.expected.Has(0x2B)) << "not addressed";
  EXPECT_TRUE(results[1].result.expected.Has(0x2B));
  EXPECT_FALSE(results[1].result.expected.Has(0x30)) << "a gateway acks no command";
}

}  // namespace
}  // namespace packtwin::firmware
