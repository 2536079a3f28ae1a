// design.md "The determinism contract": the same inputs give the same
// digest; any change of state changes it. Also the frames a pack hears but
// does not act on.
#include "packtwin/firmware/state_digest.h"

#include <gtest/gtest.h>

#include "pack_sim.h"
#include "packtwin/firmware/fleet_reducer.h"

namespace packtwin::firmware {
namespace {

using testing::PackSim;

PackSim Scripted() {
  PackSim pack;
  pack.Time(testing::kUnix0400Local);
  pack.SetCt(4546, 9000, 1000, 2000);
  pack.Heartbeat(0x11, 7);
  pack.Command(0x7F, 0x10, 1, {2, 1});
  pack.AdvanceTo(3'700'000);
  return pack;
}

TEST(StateDigest, SameInputsGiveTheSameDigest) {
  EXPECT_EQ(StateDigest(Scripted().state()), StateDigest(Scripted().state()));
}

TEST(StateDigest, EveryPartOfTheStateCounts) {
  const PackSim base = Scripted();
  const uint64_t digest = StateDigest(const_cast<PackSim&>(base).state());
  auto changed = [&](auto mutate) {
    PackSim copy = base;
    mutate(copy.state());
    return StateDigest(copy.state()) != digest;
  };
  EXPECT_TRUE(changed([](PackState& s) { s.settings.tou_end_h ^= 1; }));
  EXPECT_TRUE(changed([](PackState& s) { s.bms.stray_replies += 1; }));
  EXPECT_TRUE(changed([](PackState& s) { s.measurements.p_solar_W += 1; }));
  EXPECT_TRUE(changed([](PackState& s) { s.grid_energy.acc_Wms += 1; }));
  EXPECT_TRUE(changed([](PackState& s) { s.clock.next_uptime_reset_ms += 1; }));
  EXPECT_TRUE(changed([](PackState& s) { s.decision.eco.remembered_W[2] += 1; }));
  EXPECT_TRUE(changed([](PackState& s) { s.decision.manual[3] = 1; }));
  EXPECT_TRUE(changed([](PackState& s) { s.nodes.nodes[0x11].grid_today_Wh10 += 1; }));
  EXPECT_TRUE(changed([](PackState& s) { s.counters.commands += 1; }));
  EXPECT_TRUE(changed([](PackState& s) { s.is_master = !s.is_master; }));
}

TEST(StateDigest, FleetStateDigestIsDeterministicAndSensitive) {
  auto run = [] {
    FleetState fleet;
    FleetFindings findings;
    FleetOnCanFrame(&fleet, EncodeHeartbeat({0x2A, 1, 2, 6, 1, 5}), 0, &findings);
    FleetOnCanFrame(&fleet, EncodeFleet({0x2A, 1, 50, 3, 4, 5}), 10, &findings);
    FleetOnCanFrame(&fleet, EncodeTelLoads({0x2A, 1, 2, 333, 10, 30}), 20, &findings);
    return fleet;
  };
  FleetState a = run();
  EXPECT_EQ(StateDigest(a), StateDigest(run()));
  EXPECT_EQ(a.nodes.nodes[0x2A].grid_today_Wh10, 333);
  EXPECT_EQ(FleetAggregate(a, 30).grid_today_total_100Wh, 33);
  a.sent_fleet[0x3C] = true;
  EXPECT_NE(StateDigest(a), StateDigest(run()));
}

TEST(PackReceive, OthersAlarmsAcksRelayEventsAndFleetAreHeardNotActedOn) {
  PackSim pack;
  const uint64_t before = StateDigest(pack.state());
  pack.Frame(EncodeAlarm({0x3C, 2, 1, 0, 0}));
  pack.Frame(EncodeAck({0x3C, 0x10, 1, 0}));
  pack.Frame(EncodeRelayEvt({0x3C, 0, 0, 5, 0x0E}));
  pack.Frame(EncodeFleet({0x3C, 2, 50, 0, 0, 0}));
  EXPECT_TRUE(pack.effects().size() > 0);  // boot effects only
  EXPECT_EQ(StateDigest(pack.state()), before);
}

TEST(PackReceive, BadLengthAndOutOfRangeFramesAreCounted) {
  PackSim pack;
  CanFrame ack = EncodeAck({0x3C, 0x10, 1, 0});
  ack.len = 2;
  pack.Frame(ack);
  CanFrame evt = EncodeRelayEvt({0x3C, 0, 0, 5, 0x0E});
  evt.data[0] = 9;
  pack.Frame(evt);
  CanFrame alarm = EncodeAlarm({0x3C, 2, 1, 0, 0});
  alarm.len = 5;
  pack.Frame(alarm);
  EXPECT_EQ(pack.state().counters.bad_length_frames, 2u);
  EXPECT_EQ(pack.state().counters.out_of_range_frames, 1u);
  CanFrame foreign;
  foreign.id = 0x4AB;  // function 0x9: not protocol v1
  pack.Frame(foreign);
  EXPECT_EQ(pack.state().counters.bad_length_frames, 2u);
}

TEST(NodeIdConflict, KeepsItsIdWhenEveryOtherIdIsTaken) {
  PackSettings s;
  s.valid = true;
  s.node_id = 0x40;
  PackSim pack(testing::kSerial, s);
  for (uint8_t node = 0x10; node <= 0x7D; ++node) {
    if (node != 0x40) pack.Heartbeat(node, 1000 + node);
  }
  pack.Heartbeat(0x40, 1);
  EXPECT_EQ(pack.node(), 0x40);
}

}  // namespace
}  // namespace packtwin::firmware
