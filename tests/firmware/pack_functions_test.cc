// pack-behaviour.md "Functions", "Who decides each relay", "Relays".
#include <gtest/gtest.h>

#include "pack_sim.h"

namespace packtwin::firmware {
namespace {

using testing::PackSim;

// Rounded up to the BMS's 0.1 V so the SOC reads back exactly.
uint16_t VoltageForSoc(uint8_t soc) { return static_cast<uint16_t>((46400 + soc * 160 + 99) / 100); }

TEST(SelfConsumption, GridClosesAtSoc10AndOpensAtSoc50HoldingBetween) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A, kModeSelfConsumption));
  // A poll's SOC is decided on at the next cycle: give each step two cycles.
  auto soc_then_decide = [&pack](uint8_t soc) {
    pack.SetBms(VoltageForSoc(soc));
    pack.Advance(4000);
    EXPECT_EQ(pack.state().measurements.soc, soc);
  };
  soc_then_decide(11);
  EXPECT_TRUE(pack.RelayClosed(kRelayGrid)) << "held: switched on between the thresholds";
  soc_then_decide(50);
  EXPECT_FALSE(pack.RelayClosed(kRelayGrid)) << "opens at SOC >= 50";
  soc_then_decide(11);
  EXPECT_FALSE(pack.RelayClosed(kRelayGrid)) << "holds between 10 and 50";
  soc_then_decide(10);
  EXPECT_TRUE(pack.RelayClosed(kRelayGrid)) << "closes at SOC <= 10";
  soc_then_decide(49);
  EXPECT_TRUE(pack.RelayClosed(kRelayGrid)) << "holds below 50";
  EXPECT_EQ(pack.state().decision.cause[kRelayGrid], RelayCause::kSelfConsumption);
}

TEST(Eco, ShedsHeaterThenPumpThenInverterOnePerCycle) {
  PackSettings s = testing::StoredSettings(0x2A, kModeEco);
  s.eco_limit_W = 1000;
  PackSim pack(testing::kSerial, s);
  pack.SetCt(0, testing::MilliampsFor(800), testing::MilliampsFor(400), testing::MilliampsFor(600));  // load 1800 W > 1000 W
  pack.AdvanceTo(2001);
  EXPECT_FALSE(pack.RelayClosed(kRelayHeater));
  EXPECT_TRUE(pack.RelayClosed(kRelayPool));
  pack.AdvanceTo(4001);
  EXPECT_FALSE(pack.RelayClosed(kRelayPool));
  EXPECT_TRUE(pack.RelayClosed(kRelayInverter));
  pack.AdvanceTo(6001);
  EXPECT_FALSE(pack.RelayClosed(kRelayInverter));
  const auto evts = pack.RelayEvents();
  ASSERT_EQ(evts.size(), 3u + 4u);  // four at boot, then one shed per cycle
  EXPECT_EQ(evts[4].relay, kRelayHeater);
  EXPECT_EQ(evts[5].relay, kRelayPool);
  EXPECT_EQ(evts[6].relay, kRelayInverter);
  EXPECT_EQ(evts[6].cause, static_cast<uint8_t>(RelayCause::kEco));
  EXPECT_EQ(pack.state().decision.eco.remembered_W[0], 600) << "heater's power just before it was shed";
}

TEST(Eco, RestoresInReverseOrderOnlyAfter30sAndWhenRememberedPowerFits) {
  PackSettings s = testing::StoredSettings(0x2A, kModeEco);
  s.eco_limit_W = 1000;
  PackSim pack(testing::kSerial, s);
  pack.SetCt(0, testing::MilliampsFor(800), testing::MilliampsFor(100), testing::MilliampsFor(600));  // 1500 W: shed the heater at 2 s
  pack.AdvanceTo(2001);
  ASSERT_FALSE(pack.RelayClosed(kRelayHeater));
  pack.SetCt(0, testing::MilliampsFor(300), testing::MilliampsFor(100), 0);  // 400 W now; 400 + 600 = 1000 fits the limit
  pack.AdvanceTo(30'001);
  EXPECT_FALSE(pack.RelayClosed(kRelayHeater)) << "28 s after the shed: held";
  pack.AdvanceTo(32'001);
  EXPECT_TRUE(pack.RelayClosed(kRelayHeater)) << "30 s after the shed: restored";
}

TEST(Eco, RestoresInverterThenPumpThenHeaterOnePer30Seconds) {
  PackSettings s = testing::StoredSettings(0x2A, kModeEco);
  s.eco_limit_W = 1000;
  PackSim pack(testing::kSerial, s);
  pack.SetCt(0, testing::MilliampsFor(800), testing::MilliampsFor(400), testing::MilliampsFor(600));
  pack.AdvanceTo(6001);  // all three shed at 2, 4 and 6 s
  ASSERT_EQ(pack.state().decision.relays & 0x0E, 0);
  pack.SetCt(0, 0, 0, 0);  // everything off now reads 0 A
  pack.ClearEffects();
  pack.AdvanceTo(36'001);  // 30 s after the last shed: the inverter output first
  pack.AdvanceTo(66'001);  // then the pump
  pack.AdvanceTo(96'001);  // then the heater
  const auto evts = pack.RelayEvents();
  ASSERT_EQ(evts.size(), 3u);
  EXPECT_EQ(evts[0].relay, kRelayInverter);
  EXPECT_EQ(evts[1].relay, kRelayPool);
  EXPECT_EQ(evts[2].relay, kRelayHeater);
  for (const auto& evt : evts) EXPECT_EQ(evt.closed, 1);
}

TEST(Eco, NoRestoreWhileLoadPlusRememberedPowerExceedsTheLimit) {
  PackSettings s = testing::StoredSettings(0x2A, kModeEco);
  s.eco_limit_W = 1000;
  PackSim pack(testing::kSerial, s);
  pack.SetCt(0, testing::MilliampsFor(800), testing::MilliampsFor(100), testing::MilliampsFor(600));
  pack.AdvanceTo(2001);
  pack.SetCt(0, testing::MilliampsFor(301), testing::MilliampsFor(100), 0);  // 401 + 600 = 1001 > 1000
  pack.AdvanceTo(120'001);
  EXPECT_FALSE(pack.RelayClosed(kRelayHeater));
}

TEST(Eco, OverloadWhenAllThreeShedAndLoadStillOver) {
  PackSettings s = testing::StoredSettings(0x2A, kModeEco);
  s.eco_limit_W = 100;
  PackSim pack(testing::kSerial, s);
  pack.SetCt(0, testing::MilliampsFor(800), testing::MilliampsFor(400), testing::MilliampsFor(600));  // shed loads keep reading current: a stuck CT
  pack.AdvanceTo(6001);
  EXPECT_FALSE(pack.state().decision.eco.overload) << "third shed this cycle";
  pack.AdvanceTo(8001);
  EXPECT_TRUE(pack.state().decision.eco.overload);
  EXPECT_NE(StatusBits(pack.state()) & kStatusEcoOverload, 0);
  ASSERT_FALSE(pack.Alarms().empty());
  EXPECT_EQ(pack.Alarms().back().code, static_cast<uint8_t>(AlarmCode::kEcoOverload));
  pack.SetCt(0, 0, 0, 0);
  pack.AdvanceTo(10'001);
  EXPECT_FALSE(pack.state().decision.eco.overload) << "until it is not";
  EXPECT_EQ(pack.Alarms().back().active, 0);
}

TEST(TimeOfUse, WindowIsStartInclusiveEndExclusive) {
  EXPECT_TRUE(TimeOfUseWindowOpen(8, 17, 8));
  EXPECT_TRUE(TimeOfUseWindowOpen(8, 17, 16));
  EXPECT_FALSE(TimeOfUseWindowOpen(8, 17, 17));
  EXPECT_FALSE(TimeOfUseWindowOpen(8, 17, 7));
}

TEST(TimeOfUse, WindowWrapsPastMidnight) {
  EXPECT_TRUE(TimeOfUseWindowOpen(22, 6, 22));
  EXPECT_TRUE(TimeOfUseWindowOpen(22, 6, 23));
  EXPECT_TRUE(TimeOfUseWindowOpen(22, 6, 0));
  EXPECT_TRUE(TimeOfUseWindowOpen(22, 6, 5));
  EXPECT_FALSE(TimeOfUseWindowOpen(22, 6, 6));
  EXPECT_FALSE(TimeOfUseWindowOpen(22, 6, 21));
}

TEST(TimeOfUse, InverterClosedInsideOpenOutsideByLocalTime) {
  PackSettings s = testing::StoredSettings(0x2A, kModeTimeOfUse);
  s.tou_start_h = 22;
  s.tou_end_h = 6;
  PackSim pack(testing::kSerial, s);
  pack.Time(testing::kUnix0400Local);  // 04:00 local: inside
  pack.AdvanceTo(2001);
  EXPECT_TRUE(pack.RelayClosed(kRelayInverter));
  pack.AdvanceTo(2 * 3'600'000 + 1);  // 06:00 local: outside
  EXPECT_FALSE(pack.RelayClosed(kRelayInverter));
  EXPECT_EQ(pack.state().decision.cause[kRelayInverter], RelayCause::kTimeOfUse);
}

TEST(TimeOfUse, InactiveWhileUnsynced) {
  PackSettings s = testing::StoredSettings(0x2A, kModeTimeOfUse);
  s.tou_start_h = 1;
  s.tou_end_h = 2;
  PackSim pack(testing::kSerial, s);
  pack.AdvanceTo(60'001);
  EXPECT_TRUE(pack.RelayClosed(kRelayInverter));
  EXPECT_NE(pack.state().decision.cause[kRelayInverter], RelayCause::kTimeOfUse);
}

TEST(Backup, KeepsGridClosed) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A, kModeBackup | kModeSelfConsumption));
  pack.SetBms(VoltageForSoc(90));  // self-consumption alone would open it
  pack.AdvanceTo(10'001);
  EXPECT_TRUE(pack.RelayClosed(kRelayGrid));
}

TEST(GridImportLimit, LockoutWhenGridEnergyTodayReachesBudget) {
  PackSettings s = testing::StoredSettings(0x2A, 0);
  s.grid_budget_kWh = 2;
  PackSim pack(testing::kSerial, s);
  pack.Command(0x7F, 0x10, 1, {5, 1});  // switch the limit on now (no boot lockout)
  pack.state().grid_energy.acc_Wms = 1999ull * 3'600'000;
  pack.AdvanceTo(2001);
  EXPECT_FALSE(pack.state().lockout) << "1999 Wh of 2000";
  pack.state().grid_energy.acc_Wms = 2000ull * 3'600'000;
  pack.AdvanceTo(4001);
  EXPECT_TRUE(pack.state().lockout);
  EXPECT_FALSE(pack.RelayClosed(kRelayGrid));
  EXPECT_EQ(pack.state().decision.cause[kRelayGrid], RelayCause::kLockout);
  EXPECT_EQ(pack.Alarms().back().code, static_cast<uint8_t>(AlarmCode::kLockout));
}

TEST(GridImportLimit, LockoutOverridesBackupAndSelfConsumptionInTheSameCycle) {
  PackSettings s = testing::StoredSettings(0x2A, kModeBackup | kModeSelfConsumption);
  s.grid_budget_kWh = 2;
  PackSim pack(testing::kSerial, s);
  pack.SetBms(VoltageForSoc(5));  // self-consumption wants the grid closed
  pack.Command(0x7F, 0x10, 1, {5, 1});
  pack.state().grid_energy.acc_Wms = 2000ull * 3'600'000;
  pack.ClearEffects();
  pack.AdvanceTo(2001);
  EXPECT_FALSE(pack.RelayClosed(kRelayGrid));
  for (const auto& evt : pack.RelayEvents()) EXPECT_NE(evt.closed, 1) << "re-closed in the same cycle";
}

TEST(GridImportLimit, NothingElseMayCloseGridDuringLockout) {
  PackSettings s = testing::StoredSettings(0x2A, kModeGridLimit);
  PackSim pack(testing::kSerial, s);  // boots locked out
  pack.Command(0x7F, 0x14, 1, {kRelayGrid, 1});
  EXPECT_EQ(pack.Acks().back().status, static_cast<uint8_t>(AckStatus::kRejected));
  pack.Command(0x7F, 0x10, 2, {4, 1});  // Backup on
  pack.AdvanceTo(10'001);
  EXPECT_FALSE(pack.RelayClosed(kRelayGrid));
}

TEST(GridImportLimit, LockoutEndsWhenTheFunctionIsSwitchedOff) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A, kModeGridLimit));
  ASSERT_TRUE(pack.state().lockout);
  pack.Command(0x7F, 0x10, 1, {5, 0});
  EXPECT_FALSE(pack.state().lockout);
  pack.AdvanceTo(2001);
  EXPECT_TRUE(pack.RelayClosed(kRelayGrid));
}

TEST(GridImportLimit, LockoutEndsOnResetGridEnergy) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A, kModeGridLimit));
  pack.state().grid_energy.acc_Wms = 5000ull * 3'600'000;
  pack.Command(0x7F, 0x15, 1, {});
  EXPECT_FALSE(pack.state().lockout);
  EXPECT_EQ(GridTodayWh(pack.state().grid_energy), 0u);
  pack.AdvanceTo(2001);
  EXPECT_TRUE(pack.RelayClosed(kRelayGrid));
}

TEST(GridImportLimit, BootWithFunctionOnStartsInLockoutUntilNext0500) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A, kModeGridLimit));
  EXPECT_TRUE(pack.state().lockout);
  EXPECT_FALSE(pack.RelayClosed(kRelayGrid));
  pack.Time(testing::kUnix0400Local);  // 04:00 local
  pack.AdvanceTo(3'600'000 - 1);
  EXPECT_TRUE(pack.state().lockout);
  pack.AdvanceTo(3'600'000);  // 05:00:00 local
  EXPECT_FALSE(pack.state().lockout);
  pack.AdvanceTo(3'602'001);
  EXPECT_TRUE(pack.RelayClosed(kRelayGrid));
}

TEST(Relays, AtBootAllClosedExceptGridWhenLockedOut) {
  PackSim plain(testing::kSerial, testing::StoredSettings(0x2A, 0));
  EXPECT_EQ(plain.state().decision.relays, 0x0F);
  auto boot = plain.RelayEvents();
  ASSERT_EQ(boot.size(), 4u);
  for (const auto& evt : boot) EXPECT_EQ(evt.cause, static_cast<uint8_t>(RelayCause::kBoot));
  PackSim limited(testing::kSerial, testing::StoredSettings(0x2A, kModeGridLimit));
  EXPECT_EQ(limited.state().decision.relays, 0x0E);
}

TEST(Relays, EveryChangeIsAnnouncedAtOnceWithItsCauseAndRelaysAfter) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A, 0));
  pack.Command(0x7F, 0x14, 1, {kRelayPool, 0});
  pack.ClearEffects();
  pack.AdvanceTo(2001);
  const auto evts = pack.RelayEvents();
  ASSERT_EQ(evts.size(), 1u);
  EXPECT_EQ(evts[0].relay, kRelayPool);
  EXPECT_EQ(evts[0].closed, 0);
  EXPECT_EQ(evts[0].cause, static_cast<uint8_t>(RelayCause::kManual));
  EXPECT_EQ(evts[0].relays_after, 0x0B);
  // The relay set effect comes with it.
  EXPECT_EQ(pack.effects()[0].kind, EffectKind::kRelaySet);
}

TEST(ManualOverride, KeptUntilCleared) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A, 0));
  pack.Command(0x7F, 0x14, 1, {kRelayHeater, 0});
  pack.AdvanceTo(20'001);
  EXPECT_FALSE(pack.RelayClosed(kRelayHeater));
  pack.Command(0x7F, 0x14, 2, {kRelayHeater, 0xFF});
  pack.AdvanceTo(22'001);
  EXPECT_TRUE(pack.RelayClosed(kRelayHeater));
  EXPECT_EQ(pack.state().decision.cause[kRelayHeater], RelayCause::kDefault);
}

TEST(ManualOverride, RejectedWhileAFunctionControlsTheRelay) {
  PackSim pack(testing::kSerial, testing::StoredSettings(0x2A, kModeSelfConsumption));
  pack.Command(0x7F, 0x14, 1, {kRelayGrid, 0});
  EXPECT_EQ(pack.Acks().back().status, static_cast<uint8_t>(AckStatus::kRejected));
  pack.Command(0x7F, 0x14, 2, {kRelayInverter, 0});
  EXPECT_EQ(pack.Acks().back().status, static_cast<uint8_t>(AckStatus::kOk));
}

TEST(ManualOverride, EndsWhenAFunctionTakesTheRelay) {
  PackSettings s = testing::StoredSettings(0x2A, 0);
  s.eco_limit_W = 1000;
  PackSim pack(testing::kSerial, s);
  pack.Command(0x7F, 0x14, 1, {kRelayHeater, 1});
  pack.Command(0x7F, 0x10, 2, {2, 1});  // Eco on
  pack.SetCt(0, testing::MilliampsFor(800), testing::MilliampsFor(400), testing::MilliampsFor(600));
  pack.AdvanceTo(2001);
  EXPECT_FALSE(pack.RelayClosed(kRelayHeater));
  EXPECT_EQ(pack.state().decision.manual[kRelayHeater], kNoManual);
}

}  // namespace
}  // namespace packtwin::firmware
