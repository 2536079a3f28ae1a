// pack-behaviour.md "BMS and state of charge", "Power figures";
// bms-modbus.md polling, timeout and retries.
#include <gtest/gtest.h>

#include "pack_sim.h"
#include "packtwin/firmware/measurement.h"

namespace packtwin::firmware {
namespace {

using testing::BmsMode;
using testing::PackSim;

TEST(SocFromVoltage, ClampsAt4640And6240AndHalfAt5440) {
  EXPECT_EQ(SocFromMillivolts(46400), 0);
  EXPECT_EQ(SocFromMillivolts(46390), 0);
  EXPECT_EQ(SocFromMillivolts(0), 0);
  EXPECT_EQ(SocFromMillivolts(54400), 50);
  EXPECT_EQ(SocFromMillivolts(62400), 100);
  EXPECT_EQ(SocFromMillivolts(62500), 100);
  EXPECT_EQ(SocFromMillivolts(70000), 100);
}

TEST(SocFromVoltage, IntegerDivisionTruncates) {
  EXPECT_EQ(SocFromMillivolts(46559), 0);  // 0.99 %
  EXPECT_EQ(SocFromMillivolts(46560), 1);
  EXPECT_EQ(SocFromMillivolts(62399), 99);  // 99.99 %
}

TEST(SocFromVoltage, ComesFromEachGoodBmsReply) {
  PackSim pack;
  pack.SetBms(520);  // 52.0 V
  pack.AdvanceTo(100);
  EXPECT_EQ(pack.state().measurements.soc, 35);
  EXPECT_EQ(pack.state().measurements.pack_mV, 52000u);
  pack.SetBms(600);
  pack.AdvanceTo(2100);
  EXPECT_EQ(pack.state().measurements.soc, 85);
}

TEST(BmsPolling, RequestEvery2sCycle) {
  PackSim pack;
  pack.AdvanceTo(10'000);
  EXPECT_EQ(pack.ModbusRequests(), 6);  // at boot and at 2, 4, 6, 8, 10 s
}

TEST(BmsPolling, TimeoutAfter100msRetry100msLaterAtMost3Retries) {
  PackSim pack;
  pack.SetBmsMode(BmsMode::kSilent);
  pack.ClearEffects();
  pack.AdvanceTo(1999);
  // Attempts at 0, 200, 400 and 600 ms: the first plus three retries.
  EXPECT_EQ(pack.ModbusRequests(), 3);  // the boot request was cleared with the effects
  EXPECT_EQ(pack.state().bms.failed_attempts, 4u);
  EXPECT_EQ(pack.state().bms.failed_cycles, 1);
  EXPECT_FALSE(pack.state().bms.retry_pending);
}

TEST(BmsPolling, RetryFollowsAFailedReplyBy100ms) {
  PackSim pack;
  pack.SetBmsMode(BmsMode::kCrcError);
  pack.AdvanceTo(20);  // the corrupted reply at 20 ms fails the first attempt
  EXPECT_TRUE(pack.state().bms.retry_pending);
  EXPECT_EQ(pack.state().bms.retry_at_ms, 120u);
}

TEST(BmsPolling, CommLostAfterThreeFailedCyclesInARow) {
  PackSim pack;
  pack.SetBms(560);
  pack.AdvanceTo(100);
  const uint8_t soc = pack.state().measurements.soc;
  pack.SetBmsMode(BmsMode::kSilent);
  pack.ClearEffects();
  pack.AdvanceTo(2000 + 700);   // cycle at 2 s fails
  pack.AdvanceTo(4000 + 700);   // cycle at 4 s fails
  EXPECT_FALSE(pack.state().bms.comm_lost);
  EXPECT_TRUE(pack.Alarms().empty());
  pack.AdvanceTo(6000 + 700);   // third failed cycle
  EXPECT_TRUE(pack.state().bms.comm_lost);
  ASSERT_EQ(pack.Alarms().size(), 1u);
  EXPECT_EQ(pack.Alarms()[0].code, static_cast<uint8_t>(AlarmCode::kBmsCommLost));
  EXPECT_EQ(pack.Alarms()[0].active, 1);
  EXPECT_EQ(pack.state().measurements.soc, soc) << "the last SOC is kept";
  EXPECT_NE(StatusBits(pack.state()) & kStatusBmsCommLost, 0);
}

TEST(BmsPolling, NextGoodReplyClearsCommLost) {
  PackSim pack;
  pack.SetBmsMode(BmsMode::kSilent);
  pack.AdvanceTo(6700);
  ASSERT_TRUE(pack.state().bms.comm_lost);
  pack.ClearEffects();
  pack.SetBms(544);
  pack.AdvanceTo(8100);
  EXPECT_FALSE(pack.state().bms.comm_lost);
  ASSERT_EQ(pack.Alarms().size(), 1u);
  EXPECT_EQ(pack.Alarms()[0].active, 0);
}

TEST(BmsPolling, EveryReplyDefectCountsAsAFailedAttempt) {
  for (BmsMode mode : {BmsMode::kCrcError, BmsMode::kException, BmsMode::kWrongAddress, BmsMode::kWrongFunction,
                       BmsMode::kWrongByteCount, BmsMode::kShort, BmsMode::kExtraByte}) {
    PackSim pack;
    pack.SetBmsMode(mode);
    pack.AdvanceTo(6700);
    EXPECT_TRUE(pack.state().bms.comm_lost) << static_cast<int>(mode);
    EXPECT_EQ(pack.state().bms.good_replies, 0u);
  }
}

TEST(BmsPolling, ReplyWithNoRequestOutstandingIsIgnored) {
  PackSim pack;
  pack.AdvanceTo(100);
  const auto reply = testing::BmsReply(600, 0);
  Effects effects;
  PackOnBmsBytes(&pack.state(), reply.data(), reply.size(), 150, &effects);
  EXPECT_EQ(pack.state().bms.stray_replies, 1u);
  EXPECT_EQ(pack.state().measurements.soc, 50) << "unsolicited bytes do not change measurements";
}

TEST(BmsAlarmBits, ChangeRaisesAlarmAndStatusBit) {
  PackSim pack;
  pack.SetBms(544, 0, 0x0040);
  pack.AdvanceTo(100);
  ASSERT_EQ(pack.Alarms().size(), 1u);
  EXPECT_EQ(pack.Alarms()[0].code, static_cast<uint8_t>(AlarmCode::kBmsAlarmBits));
  EXPECT_EQ(pack.Alarms()[0].bms_alarm_bits, 0x0040);
  EXPECT_NE(StatusBits(pack.state()) & kStatusBmsAlarm, 0);
  pack.ClearEffects();
  pack.AdvanceTo(2100);
  EXPECT_TRUE(pack.Alarms().empty()) << "unchanged bits raise nothing";
  pack.SetBms(544, 0, 0);
  pack.AdvanceTo(4100);
  ASSERT_EQ(pack.Alarms().size(), 1u);
  EXPECT_EQ(pack.Alarms()[0].active, 0);
}

TEST(PowerFigures, CtMilliampsTimes220Over1000Truncating) {
  EXPECT_EQ(PowerFromCtMilliamps(0), 0);
  EXPECT_EQ(PowerFromCtMilliamps(4545), 999);  // 999.9 W
  EXPECT_EQ(PowerFromCtMilliamps(4546), 1000);
  EXPECT_EQ(PowerFromCtMilliamps(100'000), 22'000);
}

TEST(PowerFigures, BatteryPowerIsVoltsTimesAmpsPositiveWhenCharging) {
  EXPECT_EQ(BatteryPowerW(52000, 1250), 650);     // 52 V x 12.5 A
  EXPECT_EQ(BatteryPowerW(52000, -1250), -650);
  EXPECT_EQ(BatteryPowerW(52001, -1), 0);         // -0.52 W truncates toward zero
  EXPECT_EQ(BatteryPowerW(52000, 3), 1);          // 1.56 W
}

TEST(PowerFigures, SolarIsMaxOfZeroAndHomePlusBattMinusGrid) {
  EXPECT_EQ(SolarPowerW(1800, 650, 300), 2150);
  EXPECT_EQ(SolarPowerW(500, -800, 300), 0);
  EXPECT_EQ(SolarPowerW(300, 0, 300), 0);
}

TEST(GridEnergy, IntegratedExactlyInWattMilliseconds) {
  GridEnergy energy;
  IntegrateGrid(&energy, 1000, 0);
  IntegrateGrid(&energy, 1000, 3'599'999);
  EXPECT_EQ(GridTodayWh(energy), 999u);  // 1000 W for one hour less 1 ms
  IntegrateGrid(&energy, 0, 3'600'000);
  EXPECT_EQ(GridTodayWh(energy), 1000u);
  EXPECT_EQ(energy.acc_Wms, 3'600'000'000ull);
}

TEST(GridEnergy, EachIntervalUsesThePowerKnownDuringIt) {
  GridEnergy energy;
  IntegrateGrid(&energy, 3600, 0);     // first sample: nothing before it
  IntegrateGrid(&energy, 0, 1000);     // 3600 W held for 1 s = 1 Wh
  IntegrateGrid(&energy, 7200, 2000);  // 0 W held for 1 s
  EXPECT_EQ(energy.acc_Wms, 3'600'000u);
  EXPECT_EQ(GridTodayWh(energy), 1u);
}

TEST(GridEnergy, ReportedInTelLoadsAsTensOfWattHours) {
  PackSim pack;
  pack.SetCt(4546 * 2, 0, 0, 0);  // 2000 W of grid import
  pack.AdvanceTo(3'600'000 + 500);
  EXPECT_EQ(GridTodayWh(pack.state().grid_energy), 2000u);
  pack.ClearEffects();
  pack.AdvanceTo(3'602'000);
  const auto loads = pack.Sent(CanFunction::kTelLoads);
  ASSERT_FALSE(loads.empty());
  TelLoadsFrame frame;
  ASSERT_EQ(DecodeTelLoads(loads.back(), &frame), DecodeStatus::kOk);
  EXPECT_EQ(frame.grid_today_Wh10, 200);
}

}  // namespace
}  // namespace packtwin::firmware
