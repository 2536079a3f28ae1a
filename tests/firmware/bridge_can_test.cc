// bridge-mqtt.md, one test per rule, named after it: the bridge on the CAN
// bus (heartbeat, time, frames it ignores) and what it publishes on MQTT from
// what it hears.
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

TEST(BridgeCan, HeartbeatAtStartAndEvery10sAsABridgeObserverWithFirmware1_0) {
  Bridge bridge;
  bridge.AdvanceTo(30'000);
  const auto beats = bridge.Sent(CanFunction::kHeartbeat);
  ASSERT_EQ(beats.size(), 4u) << "at 0, 10, 20 and 30 s";
  HeartbeatFrame hb;
  ASSERT_EQ(DecodeHeartbeat(beats[0], &hb), DecodeStatus::kOk);
  EXPECT_EQ(hb.node, 0x01);
  EXPECT_EQ(hb.device_type, 3);
  EXPECT_EQ(hb.fw_major, 1);
  EXPECT_EQ(hb.fw_minor, 0);
  EXPECT_EQ(hb.role, 2);
  EXPECT_EQ(hb.serial_lo, 0xB1D6E001u);
}

TEST(BridgeCan, TimeAtStartAndEvery60s) {
  Bridge bridge;
  bridge.AdvanceTo(120'000);
  const auto times = bridge.Sent(CanFunction::kTime);
  ASSERT_EQ(times.size(), 3u) << "at 0, 60 and 120 s";
  TimeFrame time;
  ASSERT_EQ(DecodeTime(times[1], &time), DecodeStatus::kOk);
  EXPECT_EQ(time.node, 0x01);
  EXPECT_EQ(time.unix_s, static_cast<uint32_t>((kWall2026_ms + 60'000) / 1000));
  EXPECT_EQ(time.utc_offset_min, 60);
}

TEST(BridgeCan, TimeAtOnceWhenTheClockStepsByMoreThan2s) {
  Bridge bridge;
  bridge.AdvanceTo(10'000);
  bridge.ClearSeen();
  bridge.StepClock(2'000);  // exactly 2 s: not a step
  bridge.AdvanceTo(15'000);
  EXPECT_TRUE(bridge.Sent(CanFunction::kTime).empty());
  bridge.StepClock(-2'001);
  bridge.AdvanceTo(15'001);
  ASSERT_EQ(bridge.Sent(CanFunction::kTime).size(), 1u) << "a step back of more than 2 s";
  bridge.ClearSeen();
  bridge.AdvanceTo(75'000);
  EXPECT_TRUE(bridge.Sent(CanFunction::kTime).empty()) << "the 60 s period starts again from the step";
  bridge.AdvanceTo(75'001);
  EXPECT_EQ(bridge.Sent(CanFunction::kTime).size(), 1u);
}

TEST(BridgeCan, TimeFlagsBit0IsSetWhenTheHostClockIsNtpSynchronised) {
  Bridge bridge;
  bridge.SetNtp(false);
  bridge.AdvanceTo(60'000);
  const auto times = bridge.Sent(CanFunction::kTime);
  ASSERT_EQ(times.size(), 2u);
  TimeFrame synced;
  TimeFrame unsynced;
  ASSERT_EQ(DecodeTime(times[0], &synced), DecodeStatus::kOk);
  ASSERT_EQ(DecodeTime(times[1], &unsynced), DecodeStatus::kOk);
  EXPECT_EQ(synced.flags & 1, 1);
  EXPECT_EQ(unsynced.flags & 1, 0);
}

TEST(BridgeCan, NeverSendsTimeWhileItsClockIsBefore2024) {
  Bridge bridge(0, 1'600'000'000'000);  // 2020: the clock was never set
  bridge.AdvanceTo(180'000);
  EXPECT_TRUE(bridge.Sent(CanFunction::kTime).empty());
  EXPECT_EQ(bridge.Sent(CanFunction::kHeartbeat).size(), 19u) << "heartbeats go on";
}

TEST(BridgeCan, KeepsTheNodeTableAndMasterAsTheFleetReducerAndNeverElectsItself) {
  Bridge bridge;
  bridge.AdvanceTo(1'000);
  EXPECT_EQ(bridge.state().fleet.master, 0) << "alone, the bridge is no master";
  bridge.Pack(0x2A);
  bridge.Pack(0x2B);
  EXPECT_EQ(bridge.state().fleet.master, 0x2B) << "the live pack with the highest id";
  bridge.AdvanceTo(140'000);
  EXPECT_EQ(bridge.state().fleet.master, 0) << "both expired after 120 s";
}

TEST(BridgeMqtt, OnlineIsPublishedRetainedOnceConnected) {
  Bridge bridge;
  bridge.Connected();
  const auto status = bridge.Published(BridgeTopic::kStatus);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_TRUE(status[0].online);
  EXPECT_TRUE(status[0].retained);
}

TEST(BridgeMqtt, OnConnectingTheRetainedInfoOfLiveNodesAndTheMasterArePublishedAgain) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Pack(0x2B);
  bridge.ClearSeen();
  bridge.Connected();  // e.g. the broker restarted without persistence
  const auto info = bridge.Published(BridgeTopic::kInfo);
  ASSERT_EQ(info.size(), 2u);
  EXPECT_EQ(info[0].node, 0x2A);
  EXPECT_TRUE(info[1].retained);
  const auto master = bridge.Published(BridgeTopic::kMaster);
  ASSERT_EQ(master.size(), 1u);
  EXPECT_EQ(master[0].master, 0x2B);
}

TEST(BridgeMqtt, TelemetryWhenTelLoadsArrivesFromThatCyclesThreeFramesWithTheArrivalTime) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.AdvanceTo(2'000);
  bridge.Telemetry(0x2A, 64);
  const auto telemetry = bridge.Published(BridgeTopic::kTelemetry);
  ASSERT_EQ(telemetry.size(), 1u) << "one publication a cycle, on TEL_LOADS";
  EXPECT_FALSE(telemetry[0].retained);
  EXPECT_EQ(telemetry[0].node, 0x2A);
  EXPECT_EQ(telemetry[0].batt.soc, 64);
  EXPECT_EQ(telemetry[0].power.p_batt_W, -800);
  EXPECT_EQ(telemetry[0].loads.grid_today_Wh10, 123);
  EXPECT_EQ(telemetry[0].ts_ms, kWall2026_ms + 2'000);
}

TEST(BridgeMqtt, TelemetryIsNotPublishedBeforeACycleHasAllThreeFrames) {
  Bridge bridge;
  bridge.Frame(EncodeTelLoads({0x2A, 0, 0, 1, 10, 30}));
  EXPECT_TRUE(bridge.Published(BridgeTopic::kTelemetry).empty());
}

TEST(BridgeMqtt, RelayIsPublishedOnEachRelayEvt) {
  Bridge bridge;
  bridge.Frame(EncodeRelayEvt({0x2A, 2, 1, 6, 0x7}));
  bridge.Frame(EncodeRelayEvt({0x2A, 2, 0, 7, 0x3}));
  const auto relays = bridge.Published(BridgeTopic::kRelay);
  ASSERT_EQ(relays.size(), 2u);
  EXPECT_EQ(relays[0].relay.relay, 2);
  EXPECT_EQ(relays[0].relay.closed, 1);
  EXPECT_EQ(relays[0].relay.cause, 6);
  EXPECT_FALSE(relays[0].retained);
}

TEST(BridgeMqtt, AlarmIsPublishedOnEachAlarm) {
  Bridge bridge;
  bridge.Frame(EncodeAlarm({0x2A, 1, 1, 0x0010, 452}));
  const auto alarms = bridge.Published(BridgeTopic::kAlarm);
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].alarm.bms_alarm_bits, 0x0010);
  EXPECT_EQ(alarms[0].alarm.temp_dC, 452);
}

TEST(BridgeMqtt, InfoIsRetainedWhenANodeJoinsChangesRoleOrFirmwareOrExpires) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Pack(0x2A);  // the same again: nothing new
  bridge.Pack(0x2A, /*role=*/1);
  bridge.Pack(0x2A, 1, /*fw_minor=*/7);
  bridge.AdvanceTo(130'001);
  const auto info = bridge.Published(BridgeTopic::kInfo);
  ASSERT_EQ(info.size(), 4u) << "joined, role, firmware, expired";
  EXPECT_TRUE(info[0].retained);
  EXPECT_TRUE(info[0].online);
  EXPECT_EQ(info[1].info.role, 1);
  EXPECT_EQ(info[2].info.fw_minor, 7);
  EXPECT_FALSE(info[3].online);
}

TEST(BridgeMqtt, MasterIsRetainedWhenTheMasterByTheRulesChangesAndNullWhenNoNodeIsLive) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Pack(0x2B);
  bridge.AdvanceTo(125'000);
  const auto master = bridge.Published(BridgeTopic::kMaster);
  ASSERT_EQ(master.size(), 3u);
  EXPECT_EQ(master[0].master, 0x2A);
  EXPECT_EQ(master[1].master, 0x2B);
  EXPECT_EQ(master[2].master, 0) << "null: no node is live";
  EXPECT_TRUE(master[2].retained);
}

TEST(BridgeMqtt, AggregateOnEachFleetFrameFromTheMasterOnly) {
  Bridge bridge;
  bridge.Pack(0x2A);
  bridge.Pack(0x2B, 1);
  bridge.Frame(EncodeFleet({0x2B, 2, 55, -160, 30, 25}));
  bridge.Frame(EncodeFleet({0x2A, 9, 99, 0, 0, 0}));  // not the master
  const auto aggregate = bridge.Published(BridgeTopic::kAggregate);
  ASSERT_EQ(aggregate.size(), 1u);
  EXPECT_EQ(aggregate[0].master, 0x2B);
  EXPECT_EQ(aggregate[0].aggregate.packs_online, 2);
  EXPECT_EQ(aggregate[0].aggregate.avg_soc, 55);
  EXPECT_EQ(aggregate[0].aggregate.p_batt_total_10W, -160);
}

// can-protocol.md: a frame whose length differs from the table is ignored.
// The bridge publishes nothing from it and keeps no half of a cycle.
TEST(BridgeCan, AFrameOfTheWrongLengthIsIgnoredAndPublishesNothing) {
  Bridge bridge;
  bridge.ClearSeen();
  for (CanFrame frame : {EncodeTelBatt({0x2A, 5120, 0, 50, 0, 0, 0}), EncodeTelPower({0x2A, 1, 2, 3, 4}),
                         EncodeTelLoads({0x2A, 0, 0, 1, 10, 30}), EncodeRelayEvt({0x2A, 2, 1, 6, 0x7}),
                         EncodeAlarm({0x2A, 1, 1, 0x10, 452}), EncodeFleet({0x2A, 1, 50, 0, 0, 0}),
                         EncodeAck({0x2A, 0x10, 1, 0})}) {
    frame.len = static_cast<uint8_t>(frame.len - 1);
    bridge.Frame(frame);
  }
  EXPECT_TRUE(bridge.pubs().empty()) << bridge.pubs().size() << " publications from refused frames";
  bridge.Frame(EncodeTelLoads({0x2A, 0, 0, 1, 10, 30}));
  EXPECT_TRUE(bridge.Published(BridgeTopic::kTelemetry).empty()) << "the refused TEL_BATT and TEL_POWER count for nothing";
}

// can-protocol.md: a receiver matches ids exactly; extended, remote and error
// frames, and ids outside protocol v1, are none of its frames.
TEST(BridgeCan, FramesOutsideProtocolV1AreIgnored) {
  Bridge bridge;
  bridge.ClearSeen();
  CanFrame extended = EncodeTelBatt({0x2A, 5120, 0, 50, 0, 0, 0});
  extended.extended = true;
  CanFrame remote = EncodeAlarm({0x2A, 1, 1, 0x10, 452});
  remote.remote = true;
  CanFrame unknown;
  unknown.id = 0x4AA;  // function 9: not in the table
  unknown.len = 1;
  for (const CanFrame& frame : {extended, remote, unknown}) bridge.Frame(frame);
  EXPECT_TRUE(bridge.pubs().empty());
}

// bridge-mqtt.md: info is republished when what the heartbeat says changes,
// whichever field it is.
TEST(BridgeMqtt, InfoIsRetainedAgainWhenTheDeviceTypeOrSerialChanges) {
  Bridge bridge;
  bridge.Pack(0x2A);
  HeartbeatFrame hb{0x2A, 1, 2, 6, 0, 0x1000u + 0x2A};
  hb.serial_lo = 0xCAFE;
  bridge.Frame(EncodeHeartbeat(hb));
  hb.device_type = 2;  // the node is now a gateway
  bridge.Frame(EncodeHeartbeat(hb));
  EXPECT_EQ(bridge.Published(BridgeTopic::kInfo).size(), 3u) << "joined, serial, device type";
}

// bridge-mqtt.md: telemetry needs all three frames of a cycle.
TEST(BridgeMqtt, TelemetryNeedsTelPowerAsWellAsTelBatt) {
  Bridge bridge;
  bridge.Frame(EncodeTelBatt({0x2A, 5120, 0, 50, 0, 0, 0}));
  bridge.Frame(EncodeTelLoads({0x2A, 0, 0, 1, 10, 30}));
  EXPECT_TRUE(bridge.Published(BridgeTopic::kTelemetry).empty());
}

// The frames the bridge sends itself, and commands of another bridge, publish nothing.
TEST(BridgeMqtt, TimeAndCommandFramesOnTheBusPublishNothing) {
  Bridge bridge;
  bridge.ClearSeen();
  bridge.Frame(EncodeTime({0x05, 1'795'233'600, 60, 1}));
  bridge.Frame(EncodeCommand({0x2A, 0x16, 3, 0, {}}));
  EXPECT_TRUE(bridge.pubs().empty());
}

TEST(BridgeCan, ABridgeNotYetStartedHasNoDeadline) {
  BridgeState state;
  EXPECT_EQ(BridgeNextDeadlineMs(state), 0u);
}

}  // namespace
}  // namespace packtwin::firmware
