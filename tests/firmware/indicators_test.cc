// pack-behaviour.md "Indicators": a pure function of state and time.
#include "packtwin/firmware/indicators.h"

#include <gtest/gtest.h>

namespace packtwin::firmware {
namespace {

int Lit(const Indicators& ind) {
  int lit = 0;
  for (LedColor c : ind.bar) lit += c != LedColor::kOff ? 1 : 0;
  return lit;
}

TEST(RgbBar, LitLedsAreSocOverTen) {
  EXPECT_EQ(Lit(ComputeIndicators({0, 0, 0}, 0)), 0);
  EXPECT_EQ(Lit(ComputeIndicators({9, 0, 0}, 0)), 0);
  EXPECT_EQ(Lit(ComputeIndicators({59, 0, 0}, 0)), 5);
  EXPECT_EQ(Lit(ComputeIndicators({100, 0, 0}, 0)), 10);
}

TEST(RgbBar, RedAtOrBelow20PercentElseGreen) {
  EXPECT_EQ(ComputeIndicators({20, 0, 0}, 0).bar[0], LedColor::kRed);
  EXPECT_EQ(ComputeIndicators({21, 0, 0}, 0).bar[0], LedColor::kGreen);
  EXPECT_EQ(ComputeIndicators({21, 0, 0}, 0).bar[2], LedColor::kOff);
}

TEST(RgbBar, BlueLedSweepsTheLitPartOneStepPer100msWhileCharging) {
  const IndicatorInputs charging{45, 100, 0};  // 4 lit
  EXPECT_EQ(ComputeIndicators(charging, 0).bar[0], LedColor::kBlue);
  EXPECT_EQ(ComputeIndicators(charging, 99).bar[0], LedColor::kBlue);
  EXPECT_EQ(ComputeIndicators(charging, 100).bar[1], LedColor::kBlue);
  EXPECT_EQ(ComputeIndicators(charging, 100).bar[0], LedColor::kGreen);
  EXPECT_EQ(ComputeIndicators(charging, 400).bar[0], LedColor::kBlue) << "wraps after the lit part";
  const Indicators discharging = ComputeIndicators({45, -100, 0}, 0);
  for (LedColor c : discharging.bar) EXPECT_NE(c, LedColor::kBlue);
  const Indicators empty = ComputeIndicators({5, 100, 0}, 0);
  for (LedColor c : empty.bar) EXPECT_EQ(c, LedColor::kOff);
}

TEST(SevenSegment, ShowsSocAndBlinks500msBelow15Percent) {
  EXPECT_EQ(ComputeIndicators({100, 0, 0}, 0).digits_soc, 100);
  EXPECT_TRUE(ComputeIndicators({15, 0, 0}, 600).digits_on) << "15 % does not blink";
  EXPECT_TRUE(ComputeIndicators({14, 0, 0}, 499).digits_on);
  EXPECT_FALSE(ComputeIndicators({14, 0, 0}, 500).digits_on);
  EXPECT_FALSE(ComputeIndicators({14, 0, 0}, 999).digits_on);
  EXPECT_TRUE(ComputeIndicators({14, 0, 0}, 1000).digits_on);
}

TEST(StatusLed, RedForBmsAlarmCommLostOrLockout) {
  for (uint8_t bit : {kStatusBmsAlarm, kStatusBmsCommLost, kStatusLockout}) {
    EXPECT_EQ(ComputeIndicators({50, 0, static_cast<uint8_t>(bit | kStatusEcoOverload)}, 0).status_led, LedColor::kRed);
  }
}

TEST(StatusLed, YellowBlinkingForEcoOverloadSteadyForTimeUnsynced) {
  const Indicators overload_on = ComputeIndicators({50, 0, kStatusEcoOverload}, 0);
  EXPECT_EQ(overload_on.status_led, LedColor::kYellow);
  EXPECT_TRUE(overload_on.status_led_on);
  EXPECT_FALSE(ComputeIndicators({50, 0, kStatusEcoOverload}, 500).status_led_on);
  const Indicators unsynced = ComputeIndicators({50, 0, kStatusTimeUnsynced}, 500);
  EXPECT_EQ(unsynced.status_led, LedColor::kYellow);
  EXPECT_TRUE(unsynced.status_led_on);
}

TEST(StatusLed, GreenOtherwise) {
  EXPECT_EQ(ComputeIndicators({50, 0, kStatusMaster}, 0).status_led, LedColor::kGreen);
}

TEST(Indicators, InputsComeFromPackState) {
  PackState state;
  state.measurements.soc = 62;
  state.measurements.p_batt_W = 10;
  state.lockout = true;
  const IndicatorInputs in = IndicatorInputsFor(state);
  EXPECT_EQ(in.soc, 62);
  EXPECT_EQ(in.p_batt_W, 10);
  EXPECT_NE(in.status & kStatusLockout, 0);
}

}  // namespace
}  // namespace packtwin::firmware
