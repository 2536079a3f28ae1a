// Edges of the rules: wire ranges that saturate, each range check on its
// own, frames a receiver must count and drop, and bounded buffers.
#include <gtest/gtest.h>

#include "pack_sim.h"
#include "packtwin/firmware/bms_poller.h"
#include "packtwin/firmware/fleet_aggregate.h"
#include "packtwin/firmware/fleet_reducer.h"
#include "packtwin/firmware/state_digest.h"

namespace packtwin::firmware {
namespace {

using testing::PackSim;

TEST(Telemetry, FieldsSaturateAtTheirWireRange) {
  PackSim pack;
  pack.SetBms(65535, -32768);     // 6553.5 V: pack_cV would be 655350
  pack.SetCt(200'000, 0, 0, 0);   // 44 kW of grid import
  pack.AdvanceTo(2000);
  TelBattFrame batt;
  ASSERT_EQ(DecodeTelBatt(pack.Sent(CanFunction::kTelBatt).back(), &batt), DecodeStatus::kOk);
  EXPECT_EQ(batt.pack_cV, 65535);
  TelPowerFrame power;
  ASSERT_EQ(DecodeTelPower(pack.Sent(CanFunction::kTelPower).back(), &power), DecodeStatus::kOk);
  EXPECT_EQ(power.p_grid_W, 32767);
  EXPECT_EQ(power.p_batt_W, -32768);
}

TEST(FleetAggregate, SumsSaturateAtTheFramesRange) {
  NodeTable table;
  for (uint8_t node = 0x10; node < 0x20; ++node) {
    table.nodes[node] = NodeEntry{true, 1, 2, 6, 0, node, 0};
    table.nodes[node].has_power = true;
    table.nodes[node].p_batt_W = -32768;
    table.nodes[node].p_solar_W = 32767;
  }
  SelfFigures self{true, 0x51, 50, 32767, 32767, 9'000'000};
  const FleetFrame f = ComputeFleetAggregate(table, 10, self);
  EXPECT_EQ(f.packs_online, 17);
  EXPECT_EQ(f.p_batt_total_10W, -32768) << "16 x -32768 W + 32767 W saturates";
  SelfFigures big{true, 0x51, 50, 32767, 32767, 9'000'000};
  NodeTable charging;
  for (uint8_t node = 0x10; node < 0x7D; ++node) {
    charging.nodes[node] = NodeEntry{true, 1, 2, 6, 0, node, 0};
    charging.nodes[node].has_power = true;
    charging.nodes[node].p_batt_W = 32767;
  }
  const FleetFrame g = ComputeFleetAggregate(charging, 10, big);
  EXPECT_EQ(g.p_batt_total_10W, 32767);
  EXPECT_EQ(g.grid_today_total_100Wh, 65535);
  NodeTable discharging = charging;
  for (auto& entry : discharging.nodes) entry.p_batt_W = -32768;
  EXPECT_EQ(ComputeFleetAggregate(discharging, 10, SelfFigures{}).p_batt_total_10W, -32768);
}

TEST(BmsPolling, FailedCycleCountSaturatesInsteadOfWrapping) {
  BmsPoller poller;
  poller.failed_cycles = 255;
  StartPollCycle(&poller, 0);
  for (int attempt = 0; attempt < 4; ++attempt) {
    OnBmsTimeout(&poller);
    if (poller.retry_pending) StartRetry(&poller, poller.retry_at_ms);
  }
  EXPECT_EQ(poller.failed_cycles, 255);
  EXPECT_TRUE(poller.comm_lost);
}

TEST(GridEnergy, NothingAddedForZeroIntervalOrZeroImport) {
  GridEnergy energy;
  IntegrateGrid(&energy, 1000, 5000);
  IntegrateGrid(&energy, 1000, 5000);  // same instant
  EXPECT_EQ(energy.acc_Wms, 0u);
  IntegrateGrid(&energy, 0, 6000);
  IntegrateGrid(&energy, 0, 7000);  // 0 W held
  EXPECT_EQ(energy.acc_Wms, 1'000'000u);
  energy.acc_Wms = UINT64_MAX;
  EXPECT_EQ(GridTodayWh(energy), UINT32_MAX);
}

TEST(CanFrames, EachRangeCheckRejectsOnItsOwn) {
  TelBattFrame batt;
  for (int field = 0; field < 4; ++field) {
    TelBattFrame f{0x2A, 5200, 0, 50, 0x0F, 0x1F, 0x3F};
    if (field == 0) f.soc = 101;
    if (field == 1) f.relays = 0x10;
    if (field == 2) f.modes = 0x20;
    if (field == 3) f.status = 0x40;
    EXPECT_EQ(DecodeTelBatt(EncodeTelBatt(f), &batt), DecodeStatus::kOutOfRange) << field;
  }
  AlarmFrame alarm;
  EXPECT_EQ(DecodeAlarm(EncodeAlarm({0x2A, 0, 1, 0, 0}), &alarm), DecodeStatus::kOutOfRange);
  EXPECT_EQ(DecodeAlarm(EncodeAlarm({0x2A, 1, 2, 0, 0}), &alarm), DecodeStatus::kOutOfRange);
  FleetFrame fleet;
  EXPECT_EQ(DecodeFleet(EncodeFleet({0x51, 3, 101, 0, 0, 0}), &fleet), DecodeStatus::kOutOfRange);
  RelayEvtFrame evt;
  EXPECT_EQ(DecodeRelayEvt(EncodeRelayEvt({0x2A, 1, 2, 1, 0x0F}), &evt), DecodeStatus::kOutOfRange);
  EXPECT_EQ(DecodeRelayEvt(EncodeRelayEvt({0x2A, 1, 1, 1, 0x1F}), &evt), DecodeStatus::kOutOfRange);
  HeartbeatFrame hb;
  EXPECT_EQ(DecodeHeartbeat(EncodeHeartbeat({0x2A, 0, 2, 6, 0, 1}), &hb), DecodeStatus::kOutOfRange);
}

TEST(CanFrames, EachDecoderRejectsOtherFunctionsAndOtherLengths) {
  const CanFrame wrong = EncodeHeartbeat({0x2A, 1, 2, 6, 0, 1});
  CanFrame short_frame = wrong;
  short_frame.len = 1;
  AlarmFrame a;
  TimeFrame t;
  TelPowerFrame p;
  TelLoadsFrame l;
  FleetFrame f;
  AckFrame k;
  RelayEvtFrame r;
  TelBattFrame b;
  CommandFrame c;
  EXPECT_EQ(DecodeAlarm(wrong, &a), DecodeStatus::kWrongFunction);
  EXPECT_EQ(DecodeTime(wrong, &t), DecodeStatus::kWrongFunction);
  EXPECT_EQ(DecodeTelPower(wrong, &p), DecodeStatus::kWrongFunction);
  EXPECT_EQ(DecodeTelLoads(wrong, &l), DecodeStatus::kWrongFunction);
  EXPECT_EQ(DecodeFleet(wrong, &f), DecodeStatus::kWrongFunction);
  EXPECT_EQ(DecodeAck(wrong, &k), DecodeStatus::kWrongFunction);
  EXPECT_EQ(DecodeRelayEvt(wrong, &r), DecodeStatus::kWrongFunction);
  EXPECT_EQ(DecodeTelBatt(wrong, &b), DecodeStatus::kWrongFunction);
  HeartbeatFrame h;
  EXPECT_EQ(DecodeHeartbeat(short_frame, &h), DecodeStatus::kBadLength);
  EXPECT_EQ(DecodeCommand(wrong, &c), DecodeStatus::kWrongFunction);
  for (auto [frame, len] : {std::pair{EncodeTelPower({}), 7}, std::pair{EncodeTelLoads({}), 9}, std::pair{EncodeFleet({0x51}), 3}}) {
    frame.len = static_cast<uint8_t>(len);
    EXPECT_NE(DecodeTelPower(frame, &p), DecodeStatus::kOk);
    EXPECT_NE(DecodeTelLoads(frame, &l), DecodeStatus::kOk);
    EXPECT_NE(DecodeFleet(frame, &f), DecodeStatus::kOk);
  }
  CanFrame command = EncodeCommand({0x2A, 0x10, 1, 7, {}});
  EXPECT_EQ(command.len, 8) << "at most six argument bytes";
}

TEST(CanProtocolIds, NodeAbove0x7EIsOnlyValidForABroadcastCommand) {
  EXPECT_FALSE(ClassifyCanV1Id(0x0FF, false, false, false).valid);  // ALARM from node 0x7F
  EXPECT_TRUE(ClassifyCanV1Id(0x0FE, false, false, false).valid);
}

TEST(FleetView, ForeignAndBadFramesAreCountedAndDropped) {
  FleetState fleet;
  FleetFindings findings;
  CanFrame foreign;
  foreign.id = 0x4AB;
  FleetOnCanFrame(&fleet, foreign, 0, &findings);
  FleetOnCanFrame(&fleet, EncodeAck({0x2A, 0x10, 1, 0}), 0, &findings);  // heard, not part of the view
  CanFrame fleet_frame = EncodeFleet({0x51, 200, 50, 0, 0, 0});
  FleetOnCanFrame(&fleet, fleet_frame, 0, &findings);
  for (CanFrame frame : {EncodeTelBatt({0x2A, 1, 0, 50, 0, 0, 0}), EncodeTelPower({0x2A}), EncodeTelLoads({0x2A})}) {
    frame.len = 6;
    FleetOnCanFrame(&fleet, frame, 0, &findings);
  }
  EXPECT_EQ(fleet.out_of_range_frames, 1u);
  EXPECT_EQ(fleet.bad_length_frames, 3u);
  EXPECT_FALSE(fleet.has_fleet_frame);
  EXPECT_EQ(findings.count, 0);
  EXPECT_FALSE(FleetRunDue(&fleet, 1'000'000, &findings)) << "no node to expire";
}

TEST(FleetView, AFleetSenderLongGoneIsNotASecondMaster) {
  FleetState fleet;
  FleetFindings findings;
  FleetOnCanFrame(&fleet, EncodeFleet({0x2A, 1, 50, 0, 0, 0}), 0, &findings);
  FleetOnCanFrame(&fleet, EncodeFleet({0x51, 1, 50, 0, 0, 0}), 4001, &findings);
  EXPECT_EQ(findings.count, 0);
}

TEST(FleetView, FindingsBufferKeepsTheFirstEight) {
  FleetFindings findings;
  for (uint8_t i = 0; i < 12; ++i) findings.Add({FleetFindingKind::kNodeJoined, i, 0, 0, 0, 0});
  EXPECT_EQ(findings.count, kMaxFindings);
  EXPECT_EQ(findings.items[7].node, 7);
}

TEST(PackReceive, OwnTelemetryEchoIsNotStoredAsAnotherPack) {
  PackSim pack;
  pack.Frame(EncodeTelBatt({pack.node(), 5200, 0, 35, 0, 0, 0}));
  pack.Frame(EncodeTelPower({pack.node(), 1, 2, 3, 4}));
  pack.Frame(EncodeTelLoads({pack.node(), 1, 2, 3, 4, 5}));
  const NodeEntry& self = pack.state().nodes.nodes[pack.node()];
  EXPECT_FALSE(self.has_batt || self.has_power || self.has_loads);
}

TEST(PackReceive, TelemetryFromAPackNotYetHeardIsKeptAndDigested) {
  PackSim a;
  PackSim b;
  b.Frame(EncodeTelLoads({0x3C, 0, 0, 77, 10, 30}));
  EXPECT_TRUE(b.state().nodes.nodes[0x3C].has_loads);
  EXPECT_NE(StateDigest(a.state()), StateDigest(b.state()));
  PackSim c;
  c.Frame(EncodeTelPower({0x3C, 0, 0, 5, 0}));
  PackSim d;
  d.Frame(EncodeTelBatt({0x3C, 5200, 0, 35, 0, 0, 0}));
  EXPECT_NE(StateDigest(c.state()), StateDigest(d.state()));
  CanFrame bad = EncodeTelBatt({0x3C, 5200, 0, 35, 0, 0, 0});
  bad.data[4] = 200;
  d.Frame(bad);
  EXPECT_EQ(d.state().counters.out_of_range_frames, 1u);
}

TEST(Commands, TouWindowBoundsEachRejectedAloneAndAPartialChangeIsWritten) {
  PackSettings s;
  s.valid = true;
  s.node_id = 0x2A;
  PackSim pack(testing::kSerial, s);
  pack.Command(0x2A, 0x13, 1, {24, 6});
  EXPECT_EQ(pack.Acks().back().status, static_cast<uint8_t>(AckStatus::kOutOfRange));
  pack.ClearEffects();
  pack.Command(0x2A, 0x13, 2, {22, 7});  // same start, new end
  EXPECT_EQ(pack.Acks().back().status, static_cast<uint8_t>(AckStatus::kOk));
  EXPECT_EQ(pack.StorageWrites().size(), 1u);
  pack.Command(0x2A, 0x10, 3, {2, 0});  // switching off a function that is off
  EXPECT_EQ(pack.StorageWrites().size(), 1u);
}

}  // namespace
}  // namespace packtwin::firmware
