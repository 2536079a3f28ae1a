// Narrowing to a wire field's range: values outside it stick at its ends.
#pragma once

#include <cstdint>

namespace packtwin::firmware {

inline int16_t Saturate16(int64_t value) {
  if (value > INT16_MAX) return INT16_MAX;
  if (value < INT16_MIN) return INT16_MIN;
  return static_cast<int16_t>(value);
}

inline uint16_t SaturateU16(uint64_t value) { return value > UINT16_MAX ? UINT16_MAX : static_cast<uint16_t>(value); }

}  // namespace packtwin::firmware
