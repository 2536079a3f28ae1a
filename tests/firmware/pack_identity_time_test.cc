// pack-behaviour.md "Identity", "Time" and the daily reset.
#include <gtest/gtest.h>

#include <set>

#include "pack_sim.h"
#include "packtwin/firmware/local_clock.h"

namespace packtwin::firmware {
namespace {

using testing::PackSim;

// FNV-1a 32 written out independently of the firmware's helper.
uint32_t ReferenceFnv(uint64_t serial) {
  uint32_t h = 0x811C9DC5u;
  for (int shift = 40; shift >= 0; shift -= 8) {
    h ^= static_cast<uint8_t>(serial >> shift);
    h *= 0x01000193u;
  }
  return h;
}

TEST(NodeId, Is0x10PlusFnv1aOfTheSixSerialBytesMsbFirstModulo0x6E) {
  for (uint64_t serial : {0x24A16057F3C1ull, 0x000000000001ull, 0xFFFFFFFFFFFFull, 0x3C71BF00AA12ull}) {
    EXPECT_EQ(NodeIdFromSerial(serial), 0x10 + ReferenceFnv(serial) % 0x6E) << std::hex << serial;
  }
}

TEST(NodeId, AlwaysIn0x10To0x7DAndNeverTheBroadcastId) {
  std::set<uint8_t> seen;
  for (uint64_t serial = 0x24A160000000ull; serial < 0x24A160000000ull + 5000; ++serial) {
    const uint8_t id = NodeIdFromSerial(serial);
    EXPECT_GE(id, 0x10);
    EXPECT_LE(id, 0x7D);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 0x6Eu) << "every id of the range is reachable";
}

TEST(NodeId, ChosenOnceAndKeptInStorage) {
  PackSim fresh;
  EXPECT_EQ(fresh.node(), NodeIdFromSerial(testing::kSerial));
  EXPECT_EQ(fresh.StorageWrites(), (std::vector<StoredSetting>{StoredSetting::kNodeId, StoredSetting::kDeviceType}));
  PackSim rebooted(testing::kSerial, testing::StoredSettings(0x33));
  EXPECT_EQ(rebooted.node(), 0x33) << "the stored id wins over the serial";
  EXPECT_TRUE(rebooted.StorageWrites().empty());
}

TEST(Heartbeat, CarriesDeviceTypeFirmware26RoleAndSerialLow32) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A));
  const auto sent = pack.Sent(CanFunction::kHeartbeat);
  ASSERT_EQ(sent.size(), 1u) << "a heartbeat at boot";
  HeartbeatFrame hb;
  ASSERT_EQ(DecodeHeartbeat(sent[0], &hb), DecodeStatus::kOk);
  EXPECT_EQ(hb.node, 0x2A);
  EXPECT_EQ(hb.device_type, 1);
  EXPECT_EQ(hb.fw_major, 2);
  EXPECT_EQ(hb.fw_minor, 6);
  EXPECT_EQ(hb.role, 0) << "still listening: not master";
  EXPECT_EQ(hb.serial_lo, 0x6057F3C1u);
}

TEST(NodeIdConflict, LowerSerialKeepsTheId) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A));
  pack.ClearEffects();
  pack.Heartbeat(0x2A, 0x7FFFFFFF);  // higher serial
  EXPECT_EQ(pack.node(), 0x2A);
  EXPECT_TRUE(pack.StorageWrites().empty());
}

TEST(NodeIdConflict, HigherSerialTakesTheNextFreeIdStoresItAndAnnouncesAgain) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A));
  pack.Heartbeat(0x2B, 0x00000005);  // 0x2B is taken
  pack.ClearEffects();
  pack.Heartbeat(0x2A, 0x00000001);  // lower serial: we move
  EXPECT_EQ(pack.node(), 0x2C);
  EXPECT_EQ(pack.StorageWrites(), (std::vector<StoredSetting>{StoredSetting::kNodeId}));
  ASSERT_EQ(pack.Alarms().size(), 1u);
  EXPECT_EQ(pack.Alarms()[0].code, static_cast<uint8_t>(AlarmCode::kNodeIdConflict));
  const auto hb = pack.Sent(CanFunction::kHeartbeat);
  ASSERT_EQ(hb.size(), 1u);
  EXPECT_EQ(hb[0].id, 0x72Cu);
}

TEST(NodeIdConflict, NextFreeIdWrapsInside0x10To0x7D) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x7D));
  pack.Heartbeat(0x7D, 0x00000001);
  EXPECT_EQ(pack.node(), 0x10);
}

TEST(NodeIdConflict, OwnHeartbeatEchoIsNotAConflict) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A));
  pack.Heartbeat(0x2A, 0x6057F3C1);
  EXPECT_EQ(pack.node(), 0x2A);
}

TEST(Time, LocalTimeIsLastTimeFramePlusMonotonicElapsed) {
  PackSim pack;
  pack.Time(testing::kUnix0400Local, 60);
  EXPECT_TRUE(pack.state().clock.synced);
  EXPECT_EQ(LocalHour(pack.state().clock, pack.now()), 4);
  pack.AdvanceTo(3'600'000);
  EXPECT_EQ(LocalHour(pack.state().clock, pack.now()), 5);
  EXPECT_EQ(StatusBits(pack.state()) & kStatusTimeUnsynced, 0);
}

TEST(Time, OffsetOutsideMinus720To840IsRejectedWithTimeInvalid) {
  for (int16_t offset : {-721, 841}) {
    PackSim pack;
    pack.Time(testing::kUnix0400Local, offset);
    EXPECT_FALSE(pack.state().clock.synced) << offset;
    ASSERT_EQ(pack.Alarms().size(), 1u);
    EXPECT_EQ(pack.Alarms()[0].code, static_cast<uint8_t>(AlarmCode::kTimeInvalid));
  }
  for (int16_t offset : {-720, 840}) {
    PackSim pack;
    pack.Time(testing::kUnix0400Local, offset);
    EXPECT_TRUE(pack.state().clock.synced) << offset;
  }
}

TEST(Time, UnixTimeBefore2024IsRejected) {
  PackSim early;
  early.Time(1704067199);
  EXPECT_FALSE(early.state().clock.synced);
  EXPECT_EQ(early.state().counters.time_invalid, 1u);
  PackSim exact;
  exact.Time(1704067200);
  EXPECT_TRUE(exact.state().clock.synced);
}

TEST(Time, NeverSyncedPackIsFlaggedTimeUnsynced) {
  PackSim pack;
  pack.AdvanceTo(60'000);
  EXPECT_NE(StatusBits(pack.state()) & kStatusTimeUnsynced, 0);
}

TEST(DailyReset, At0500LocalExactlyNotAMillisecondEarlier) {
  PackSim pack;
  pack.Time(testing::kUnix0400Local);
  pack.state().grid_energy.acc_Wms = 42 * 3'600'000ull;
  pack.AdvanceTo(3'600'000 - 1);  // 04:59:59.999
  EXPECT_EQ(GridTodayWh(pack.state().grid_energy), 42u);
  pack.AdvanceTo(3'600'000);      // 05:00:00.000
  EXPECT_EQ(GridTodayWh(pack.state().grid_energy), 0u);
  EXPECT_EQ(pack.state().counters.daily_resets, 1u);
}

TEST(DailyReset, NotAtMidnight) {
  PackSim pack;
  pack.Time(1795219200 - 3600 - 60, 60);  // 23:59 local
  pack.state().grid_energy.acc_Wms = 42 * 3'600'000ull;
  pack.AdvanceTo(2 * 60'000);  // 00:01 local
  EXPECT_EQ(GridTodayWh(pack.state().grid_energy), 42u);
  EXPECT_EQ(pack.state().counters.daily_resets, 0u);
}

TEST(DailyReset, OncePerDay) {
  PackSim pack;
  pack.Time(testing::kUnix0400Local);
  pack.AdvanceTo(3'600'000 + 24 * 3'600'000ull - 1);
  EXPECT_EQ(pack.state().counters.daily_resets, 1u);
  pack.AdvanceTo(3'600'000 + 24 * 3'600'000ull);
  EXPECT_EQ(pack.state().counters.daily_resets, 2u);
}

TEST(DailyReset, ForwardTimeJumpAcrossItResetsOnce) {
  PackSim pack;
  pack.Time(testing::kUnix0400Local);
  pack.state().grid_energy.acc_Wms = 42 * 3'600'000ull;
  pack.AdvanceTo(1000);
  pack.Time(testing::kUnix0400Local + 3 * 3600);  // 07:00 local
  pack.AdvanceTo(1000);
  EXPECT_EQ(pack.state().counters.daily_resets, 1u);
  EXPECT_EQ(GridTodayWh(pack.state().grid_energy), 0u);
  pack.AdvanceTo(3 * 3'600'000);  // 10:00 local: no second reset
  EXPECT_EQ(pack.state().counters.daily_resets, 1u);
}

TEST(DailyReset, BackwardTimeJumpDoesNotMoveIt) {
  PackSim pack;
  pack.Time(testing::kUnix0400Local);
  const int64_t scheduled = pack.state().clock.next_reset_local_ms;
  pack.AdvanceTo(1000);
  pack.Time(testing::kUnix0400Local - 2 * 3600);  // back to 02:00 local
  EXPECT_EQ(pack.state().clock.next_reset_local_ms, scheduled);
  pack.AdvanceTo(1000 + 3 * 3'600'000 - 1);  // 04:59:59.999 local again
  EXPECT_EQ(pack.state().counters.daily_resets, 0u);
  pack.AdvanceTo(1000 + 3 * 3'600'000);
  EXPECT_EQ(pack.state().counters.daily_resets, 1u);
}

TEST(DailyReset, FirstTimeAt0500ExactlySchedulesTomorrow) {
  EXPECT_EQ(NextResetAfter(5 * 3'600'000), 5 * 3'600'000 + kMsPerDay);
  EXPECT_EQ(NextResetAfter(5 * 3'600'000 - 1), 5 * 3'600'000);
}

TEST(DailyReset, AfterBeingOffAcross0500EnergyTodayStartsAtZero) {
  // Off at 04:50 with energy counted, back at 05:10: energy is not stored.
  PackSim before;
  before.Time(testing::kUnix0400Local + 50 * 60);
  before.SetCt(4546 * 2, 0, 0, 0);
  before.AdvanceTo(5 * 60'000);
  ASSERT_GT(GridTodayWh(before.state().grid_energy), 0u);
  PackSim after(testing::kSerial, before.state().settings, 0);
  after.Time(testing::kUnix0400Local + 70 * 60);
  EXPECT_EQ(GridTodayWh(after.state().grid_energy), 0u);
  EXPECT_EQ(after.state().clock.next_reset_local_ms % kMsPerDay, 5 * 3'600'000);
  EXPECT_TRUE(after.StorageWrites().empty()) << "energy today is never stored";
}

TEST(DailyReset, NeverSyncedPackResetsEvery24HoursOfUptime) {
  PackSim pack;
  pack.state().grid_energy.acc_Wms = 42 * 3'600'000ull;
  pack.AdvanceTo(24 * 3'600'000ull - 1);
  EXPECT_EQ(pack.state().counters.daily_resets, 0u);
  pack.AdvanceTo(24 * 3'600'000ull);
  EXPECT_EQ(pack.state().counters.daily_resets, 1u);
  pack.AdvanceTo(48 * 3'600'000ull);
  EXPECT_EQ(pack.state().counters.daily_resets, 2u);
}

}  // namespace
}  // namespace packtwin::firmware
