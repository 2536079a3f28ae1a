#include "packtwin/firmware/indicators.h"

namespace packtwin::firmware {
namespace {

bool BlinkOn(uint64_t now_ms) { return (now_ms / kBlinkHalfPeriodMs) % 2 == 0; }

}  // namespace

Indicators ComputeIndicators(const IndicatorInputs& in, uint64_t now_ms) {
  Indicators out{};
  const uint8_t soc = in.soc > 100 ? 100 : in.soc;
  const uint8_t lit = static_cast<uint8_t>(soc / 10);
  const LedColor color = soc <= kBarRedAtOrBelowSoc ? LedColor::kRed : LedColor::kGreen;
  for (uint8_t i = 0; i < kBarLeds; ++i) out.bar[i] = i < lit ? color : LedColor::kOff;
  // While charging one blue LED sweeps over the lit part, a step per 100 ms.
  if (in.p_batt_W > 0 && lit > 0) out.bar[(now_ms / kSweepStepMs) % lit] = LedColor::kBlue;

  out.digits_soc = soc;
  out.digits_on = soc >= kDigitsBlinkBelowSoc || BlinkOn(now_ms);

  const bool red = (in.status & (kStatusBmsAlarm | kStatusBmsCommLost | kStatusLockout)) != 0;
  const bool overload = (in.status & kStatusEcoOverload) != 0;
  const bool unsynced = (in.status & kStatusTimeUnsynced) != 0;
  out.status_led_on = true;
  if (red) {
    out.status_led = LedColor::kRed;
  } else if (overload || unsynced) {
    out.status_led = LedColor::kYellow;
    // ECO_OVERLOAD blinks; TIME_UNSYNCED alone is steady.
    if (overload) out.status_led_on = BlinkOn(now_ms);
  } else {
    out.status_led = LedColor::kGreen;
  }
  return out;
}

IndicatorInputs IndicatorInputsFor(const PackState& state) {
  return {state.measurements.soc, state.measurements.p_batt_W, StatusBits(state)};
}

}  // namespace packtwin::firmware
