// pack-behaviour.md "The 2 s control cycle", "Election"; the bridge's fleet view.
#include <gtest/gtest.h>

#include "pack_sim.h"
#include "packtwin/firmware/fleet_reducer.h"

namespace packtwin::firmware {
namespace {

using testing::PackSim;

TEST(ControlCycle, RelaysThenTelemetryThenFleetThenHeartbeatThenPoll) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A));
  pack.Command(0x2A, 0x14, 1, {kRelayPool, 0});
  pack.AdvanceTo(9999);
  pack.ClearEffects();
  pack.AdvanceTo(10'000);  // the fifth cycle: heartbeat too, and master (alone, listened 10 s)
  std::vector<uint32_t> ids;
  for (const auto& e : pack.effects()) {
    if (e.kind == EffectKind::kCanSend) ids.push_back(e.frame.id);
  }
  EXPECT_EQ(ids, (std::vector<uint32_t>{0x1AA, 0x22A, 0x2AA, 0x32A, 0x72A}));
  EXPECT_EQ(pack.effects().back().kind, EffectKind::kModbusSend);
}

TEST(ControlCycle, RelayEvtComesBeforeTheCyclesTelemetry) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A));
  pack.Command(0x2A, 0x14, 1, {kRelayPool, 0});
  pack.ClearEffects();
  pack.AdvanceTo(2000);
  ASSERT_GE(pack.effects().size(), 3u);
  EXPECT_EQ(pack.effects()[0].kind, EffectKind::kRelaySet);
  EXPECT_EQ(pack.effects()[1].frame.id, 0x42Au);
  EXPECT_EQ(pack.effects()[2].frame.id, 0x1AAu);
}

TEST(Telemetry, ThreeTelFramesEvery2Seconds) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A));
  pack.AdvanceTo(20'000);
  EXPECT_EQ(pack.Sent(CanFunction::kTelBatt).size(), 10u);
  EXPECT_EQ(pack.Sent(CanFunction::kTelPower).size(), 10u);
  EXPECT_EQ(pack.Sent(CanFunction::kTelLoads).size(), 10u);
}

TEST(Heartbeat, Every10SecondsAndAtBoot) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A));
  pack.AdvanceTo(9999);
  EXPECT_EQ(pack.Sent(CanFunction::kHeartbeat).size(), 1u);
  pack.AdvanceTo(10'000);
  EXPECT_EQ(pack.Sent(CanFunction::kHeartbeat).size(), 2u);
  pack.AdvanceTo(60'000);
  EXPECT_EQ(pack.Sent(CanFunction::kHeartbeat).size(), 7u);
}

TEST(Election, BootingNodeListens10SecondsBeforeClaimingMaster) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A));
  pack.AdvanceTo(8000);
  EXPECT_FALSE(pack.state().is_master);
  EXPECT_TRUE(pack.Sent(CanFunction::kFleet).empty());
  pack.AdvanceTo(10'000);
  EXPECT_TRUE(pack.state().is_master) << "a lone pack is master";
}

TEST(Election, LivePackWithTheHighestNodeIdIsMaster) {
  PackSim low(testing::kSerial, testing::StoredSettings(0x2A));
  low.Heartbeat(0x51, 5);
  low.AdvanceTo(20'000);
  EXPECT_FALSE(low.state().is_master);
  PackSim high(testing::kSerial, testing::StoredSettings(0x51));
  high.Heartbeat(0x2A, 5);
  high.AdvanceTo(20'000);
  EXPECT_TRUE(high.state().is_master);
  EXPECT_NE(StatusBits(high.state()) & kStatusMaster, 0);
}

TEST(Election, LiveGatewayIsAlwaysMaster) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x51));
  pack.Heartbeat(0x12, 9, DeviceType::kEnergyGateway, Role::kMaster);
  pack.AdvanceTo(20'000);
  EXPECT_FALSE(pack.state().is_master);
  NodeTable table;
  table.nodes[0x12] = {true, 2, 1, 0, 1, 9, 0};
  table.nodes[0x20] = {true, 2, 1, 0, 1, 8, 0};
  EXPECT_EQ(ElectMaster(table, 1000, 0x51, DeviceType::kEnergyPack), 0x20) << "highest gateway";
}

TEST(Election, BridgeAndDisplayNeverElect) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A));
  pack.Heartbeat(0x7E, 1, DeviceType::kBridge, Role::kObserver);
  pack.Heartbeat(0x70, 2, DeviceType::kDisplay, Role::kObserver);
  pack.AdvanceTo(20'000);
  EXPECT_TRUE(pack.state().is_master);
}

TEST(Election, NodeIsLiveAt120000MsAndExpiredAt120001) {
  NodeTable table;
  table.nodes[0x51] = {true, 1, 2, 6, 0, 5, 1000};
  EXPECT_TRUE(IsLive(table.nodes[0x51], 1000 + 120'000));
  EXPECT_FALSE(IsLive(table.nodes[0x51], 1000 + 120'001));
  EXPECT_EQ(ElectMaster(table, 121'000, 0x2A, DeviceType::kEnergyPack), 0x51);
  EXPECT_EQ(ElectMaster(table, 121'001, 0x2A, DeviceType::kEnergyPack), 0x2A);
}

TEST(Election, MasterBroadcastsFleetEvery2Seconds) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x51));
  pack.SetBms(600, 1000);
  TelBattFrame batt{0x2A, 5200, -1250, 35, 0x0F, 0, 0};
  TelPowerFrame power{0x2A, 300, 1800, -650, 850};
  TelLoadsFrame loads{0x2A, 0, 0, 1234, 10, 30};
  pack.Heartbeat(0x2A, 5);
  pack.Frame(EncodeTelBatt(batt));
  pack.Frame(EncodeTelPower(power));
  pack.Frame(EncodeTelLoads(loads));
  pack.AdvanceTo(14'000);
  const auto fleet = pack.Sent(CanFunction::kFleet);
  ASSERT_EQ(fleet.size(), 3u);  // at 10, 12 and 14 s
  FleetFrame f;
  ASSERT_EQ(DecodeFleet(fleet.back(), &f), DecodeStatus::kOk);
  EXPECT_EQ(f.packs_online, 2);
  EXPECT_EQ(f.avg_soc, (85 + 35) / 2);
  // 60 V x 10 A = 600 W own, -650 W other: -50 W -> -5 (10 W units, toward zero)
  EXPECT_EQ(f.p_batt_total_10W, -5);
  EXPECT_EQ(f.grid_today_total_100Wh, 123);  // 12340 Wh / 100
}

// The bridge's view.
class FleetView : public ::testing::Test {
 protected:
  void Heartbeat(uint8_t node, uint32_t serial, uint64_t at, DeviceType type = DeviceType::kEnergyPack,
                 Role role = Role::kSlave) {
    FleetOnCanFrame(&fleet_, EncodeHeartbeat({node, static_cast<uint8_t>(type), 2, 6, static_cast<uint8_t>(role), serial}),
                    at, &findings_);
  }
  bool Found(FleetFindingKind kind) const {
    for (uint8_t i = 0; i < findings_.count; ++i) {
      if (findings_.items[i].kind == kind) return true;
    }
    return false;
  }
  FleetState fleet_;
  FleetFindings findings_;
};

TEST_F(FleetView, NodeTableFromHeartbeatsWithTypeFirmwareSerialAndRole) {
  Heartbeat(0x2A, 0x1A2B3C4D, 0);
  Heartbeat(0x01, 0xB41D6E00, 0, DeviceType::kBridge, Role::kObserver);
  const NodeEntry& pack = fleet_.nodes.nodes[0x2A];
  EXPECT_TRUE(pack.present);
  EXPECT_EQ(pack.device_type, 1);
  EXPECT_EQ(pack.fw_minor, 6);
  EXPECT_EQ(pack.serial_lo, 0x1A2B3C4Du);
  EXPECT_TRUE(Found(FleetFindingKind::kNodeJoined));
  EXPECT_EQ(fleet_.master, 0x2A) << "master by the rules, not by claim";
}

TEST_F(FleetView, NodeLeavesWhenItsHeartbeatIsOlderThan120s) {
  Heartbeat(0x2A, 1, 0);
  Heartbeat(0x51, 2, 0);
  findings_.count = 0;
  EXPECT_FALSE(FleetRunDue(&fleet_, 120'000, &findings_));
  Heartbeat(0x2A, 1, 110'000);
  ASSERT_TRUE(FleetRunDue(&fleet_, 120'001, &findings_));
  EXPECT_EQ(findings_.items[0].kind, FleetFindingKind::kNodeLeft);
  EXPECT_EQ(findings_.items[0].node, 0x51);
  EXPECT_EQ(findings_.items[0].at_ms, 120'001u);
  EXPECT_EQ(fleet_.master, 0x2A);
  EXPECT_FALSE(FleetRunDue(&fleet_, 120'001, &findings_));
}

TEST_F(FleetView, NextDeadlineIsTheEarliestExpiryOrNeverWithoutLiveNodes) {
  EXPECT_EQ(FleetNextDeadlineMs(fleet_), UINT64_MAX);
  Heartbeat(0x2A, 1, 5'000);
  Heartbeat(0x51, 2, 3'000);
  EXPECT_EQ(FleetNextDeadlineMs(fleet_), 123'001u) << "0x51's heartbeat at 3 s, 120 s TTL";
  ASSERT_TRUE(FleetRunDue(&fleet_, 123'001, &findings_));
  EXPECT_EQ(FleetNextDeadlineMs(fleet_), 125'001u);
}

TEST_F(FleetView, TwoMastersAreDetected) {
  Heartbeat(0x2A, 1, 0, DeviceType::kEnergyPack, Role::kMaster);
  findings_.count = 0;
  Heartbeat(0x51, 2, 1000, DeviceType::kEnergyPack, Role::kMaster);
  ASSERT_TRUE(Found(FleetFindingKind::kTwoMasters));
}

TEST_F(FleetView, TwoFleetSendersAreTwoMasters) {
  FleetOnCanFrame(&fleet_, EncodeFleet({0x2A, 1, 50, 0, 0, 0}), 0, &findings_);
  EXPECT_FALSE(Found(FleetFindingKind::kTwoMasters));
  FleetOnCanFrame(&fleet_, EncodeFleet({0x51, 1, 50, 0, 0, 0}), 1000, &findings_);
  EXPECT_TRUE(Found(FleetFindingKind::kTwoMasters));
}

TEST_F(FleetView, DuplicateNodeIdIsDetected) {
  Heartbeat(0x12, 0xAAAA, 0);
  findings_.count = 0;
  Heartbeat(0x12, 0xBBBB, 5000);
  ASSERT_TRUE(Found(FleetFindingKind::kDuplicateNodeId));
  EXPECT_EQ(findings_.items[0].serial, 0xAAAAu);
  EXPECT_EQ(findings_.items[0].other_serial, 0xBBBBu);
}

TEST_F(FleetView, AggregateIsComputedFromTelemetryNotFromTheFleetFrame) {
  Heartbeat(0x2A, 1, 0);
  Heartbeat(0x51, 2, 0);
  FleetOnCanFrame(&fleet_, EncodeTelBatt({0x2A, 5200, 0, 35, 0, 0, 0}), 10, &findings_);
  FleetOnCanFrame(&fleet_, EncodeTelBatt({0x51, 5760, 0, 71, 0, 0, 0x20}), 10, &findings_);
  FleetOnCanFrame(&fleet_, EncodeTelPower({0x2A, 0, 0, 655, 0}), 10, &findings_);
  FleetOnCanFrame(&fleet_, EncodeTelPower({0x51, 0, 0, -10, 0}), 10, &findings_);
  FleetOnCanFrame(&fleet_, EncodeFleet({0x51, 9, 99, 999, 0, 0}), 10, &findings_);  // a lying master
  const FleetFrame aggregate = FleetAggregate(fleet_, 20);
  EXPECT_EQ(aggregate.packs_online, 2);
  EXPECT_EQ(aggregate.avg_soc, 53);
  EXPECT_EQ(aggregate.p_batt_total_10W, 64);
  EXPECT_EQ(fleet_.last_fleet_frame.packs_online, 9) << "the master's claim is kept for comparison";
}

TEST_F(FleetView, BadLengthFramesAreCounted) {
  CanFrame hb = EncodeHeartbeat({0x2A, 1, 2, 6, 0, 1});
  hb.len = 7;
  FleetOnCanFrame(&fleet_, hb, 0, &findings_);
  EXPECT_EQ(fleet_.bad_length_frames, 1u);
  EXPECT_FALSE(fleet_.nodes.nodes[0x2A].present);
}

}  // namespace
}  // namespace packtwin::firmware
