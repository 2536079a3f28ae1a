// pack-behaviour.md "Known field defects of firmware 2.5": one test each,
// showing that this firmware does not have it.
#include <gtest/gtest.h>

#include "pack_sim.h"

namespace packtwin::firmware {
namespace {

using testing::BmsMode;
using testing::PackSim;

TEST(FieldDefect1, ModbusCrcIsComparedLowByteFirst) {
  PackSim pack;
  pack.SetBms(600);
  pack.AdvanceTo(100);
  EXPECT_EQ(pack.state().measurements.soc, 85) << "good replies are accepted";
  EXPECT_EQ(pack.state().bms.good_replies, 1u);
  PackSim swapped;
  swapped.SetBms(600);
  swapped.SetBmsMode(BmsMode::kCrcHighByteFirst);
  swapped.AdvanceTo(100);
  EXPECT_EQ(swapped.state().bms.good_replies, 0u) << "a high-byte-first CRC is an error";
}

TEST(FieldDefect2, SocComesFromEachSampleNotFromEveryLoopPass) {
  PackSim pack;
  pack.SetBms(520);
  pack.SetCt(4546, 9000, 0, 0);
  pack.AdvanceTo(100);
  const uint8_t soc = pack.state().measurements.soc;
  for (int pass = 0; pass < 1000; ++pass) pack.Advance(1);  // a busy main loop
  EXPECT_EQ(pack.state().measurements.soc, soc);
  pack.AdvanceTo(600'000);
  EXPECT_EQ(pack.state().measurements.soc, soc) << "no drift to 0 or 100 at a steady voltage";
}

TEST(FieldDefect3, ImportLimitIsNotReclosedByBackupOrSelfConsumptionInTheSameCycle) {
  PackSettings s = testing::StoredSettings(0x2A, kModeBackup | kModeSelfConsumption);
  s.grid_budget_kWh = 2;
  PackSim pack(testing::kSerial, s);
  pack.Command(0x7F, 0x10, 1, {5, 1});
  pack.state().grid_energy.acc_Wms = 2000ull * 3'600'000;
  pack.ClearEffects();
  pack.AdvanceTo(20'000);
  for (const auto& evt : pack.RelayEvents()) EXPECT_EQ(evt.closed, 0);
  EXPECT_FALSE(pack.RelayClosed(kRelayGrid));
}

TEST(FieldDefect4, DailyResetAt0500NotMidnightAndNotMissedWhenOffAcrossIt) {
  PackSim pack;
  pack.Time(1795219200 - 3600 - 600, 60);  // 23:50 local
  pack.state().grid_energy.acc_Wms = 5 * 3'600'000ull;
  pack.AdvanceTo(20 * 60'000);  // 00:10 local
  EXPECT_EQ(pack.state().counters.daily_resets, 0u);
  pack.AdvanceTo(5 * 3'600'000 + 10 * 60'000);  // 05:00 local
  EXPECT_EQ(pack.state().counters.daily_resets, 1u);
  // Off across 05:00: energy today starts from zero after boot, not from a stored value.
  PackSim rebooted(testing::kSerial, pack.state().settings);
  EXPECT_EQ(GridTodayWh(rebooted.state().grid_energy), 0u);
}

TEST(FieldDefect5, CommandsAreMatchedByExactIdNotByMask) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A));
  for (uint32_t id : {0x32Au, 0x3FFu, 0x62Au, 0x7AAu, 0x22Au}) {
    CanFrame frame;
    frame.id = id;
    frame.len = 4;
    frame.data[0] = 0x10;  // SET_MODE Eco on, if it were a command
    frame.data[1] = 1;
    frame.data[2] = 2;
    frame.data[3] = 1;
    pack.Frame(frame);
  }
  EXPECT_TRUE(pack.Acks().empty());
  EXPECT_EQ(pack.state().settings.modes, 0);
}

TEST(FieldDefect6, NodeIdsComeFromTheSerialAndConflictsResolveToOneMaster) {
  PackSim a(0x24A16057F3C1ull);
  PackSim b(0x24A16057F3C2ull);
  EXPECT_NE(a.node(), 0x12);
  EXPECT_NE(a.node(), b.node()) << "different serials, different ids";
  EXPECT_NE(a.node(), static_cast<uint8_t>(0x24A16057F3C1ull & 0x7F));
  // Two units that did collide resolve it: one moves, so one master.
  PackSim low(0x000000000001ull, testing::StoredSettings(0x12));
  PackSim high(0x000000000002ull, testing::StoredSettings(0x12));
  low.Heartbeat(0x12, 2);
  high.Heartbeat(0x12, 1);
  EXPECT_EQ(low.node(), 0x12);
  EXPECT_EQ(high.node(), 0x13);
  low.Heartbeat(0x13, 2);
  high.Heartbeat(0x12, 1);
  low.AdvanceTo(20'000);
  high.AdvanceTo(20'000);
  EXPECT_NE(low.state().is_master, high.state().is_master);
}

TEST(FieldDefect7, EcoDoesNotRestoreEveryLoadInTheCycleAfterShedding) {
  PackSettings s = testing::StoredSettings(0x2A, kModeEco);
  s.eco_limit_W = 1000;
  PackSim pack(testing::kSerial, s);
  pack.SetCt(0, testing::MilliampsFor(800), testing::MilliampsFor(100), testing::MilliampsFor(600));
  pack.AdvanceTo(2001);
  ASSERT_FALSE(pack.RelayClosed(kRelayHeater));
  pack.SetCt(0, testing::MilliampsFor(800), testing::MilliampsFor(100), 0);  // the shed heater reads 0 A
  pack.ClearEffects();
  pack.AdvanceTo(60'001);
  EXPECT_FALSE(pack.RelayClosed(kRelayHeater)) << "900 + 600 remembered > 1000: it stays shed";
  EXPECT_TRUE(pack.RelayEvents().empty()) << "no oscillation";
}

TEST(FieldDefect8, GridEnergyIsIntegratedInWattHours) {
  PackSim pack;
  pack.SetCt(testing::MilliampsFor(1000), 0, 0, 0);
  pack.AdvanceTo(3'600'000);
  EXPECT_EQ(GridTodayWh(pack.state().grid_energy), 1000u) << "1 kW for an hour is 1000 Wh, not 1 or 1,000,000";
}

TEST(FieldDefect9, SettingsAndEnergyAreNotWrittenToFlashEveryCycle) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A, kModeSelfConsumption | kModeEco));
  pack.SetCt(testing::MilliampsFor(1000), testing::MilliampsFor(500), 0, 0);
  pack.AdvanceTo(6 * 3'600'000ull);
  EXPECT_TRUE(pack.StorageWrites().empty());
}

TEST(FieldDefect10, EveryFrameSentFitsClassicCanAndItsTableLength) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A, kModeEco));
  pack.SetCt(testing::MilliampsFor(3000), testing::MilliampsFor(8000), testing::MilliampsFor(400), testing::MilliampsFor(2000));
  pack.Command(0x7F, 0x16, 1, {});
  pack.AdvanceTo(120'000);
  int frames = 0;
  for (const auto& e : pack.effects()) {
    if (e.kind != EffectKind::kCanSend) continue;
    ++frames;
    EXPECT_LE(e.frame.len, 8);
    const auto function = ClassifyCanV1Id(e.frame.id, false, false, false).function;
    if (function == CanFunction::kTelBatt || function == CanFunction::kTelPower || function == CanFunction::kTelLoads) {
      EXPECT_EQ(e.frame.len, 8);
    }
  }
  EXPECT_GT(frames, 100);
}

}  // namespace
}  // namespace packtwin::firmware
