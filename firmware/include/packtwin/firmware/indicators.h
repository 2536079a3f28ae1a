// The pack's indicators, a pure function of state and time (pack-behaviour.md).
#pragma once

#include <cstdint>

#include "packtwin/firmware/pack_state.h"

namespace packtwin::firmware {

enum class LedColor : uint8_t { kOff, kRed, kGreen, kBlue, kYellow };

inline constexpr uint8_t kBarLeds = 10;
inline constexpr uint64_t kSweepStepMs = 100;
inline constexpr uint64_t kBlinkHalfPeriodMs = 500;
inline constexpr uint8_t kBarRedAtOrBelowSoc = 20;
inline constexpr uint8_t kDigitsBlinkBelowSoc = 15;

struct Indicators {
  LedColor bar[kBarLeds];
  bool digits_on;     // the 7-segment display is lit (it blinks below 15 %)
  uint8_t digits_soc; // what it shows, 0..100
  LedColor status_led;
  bool status_led_on; // false during the off half of a blink
};

struct IndicatorInputs {
  uint8_t soc = 0;
  int32_t p_batt_W = 0;
  uint8_t status = 0;  // TEL_BATT status bits
};

Indicators ComputeIndicators(const IndicatorInputs& in, uint64_t now_ms);
IndicatorInputs IndicatorInputsFor(const PackState& state);

}  // namespace packtwin::firmware
