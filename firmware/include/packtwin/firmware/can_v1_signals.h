// Protocol v1 frames as a table of signals (can-protocol.md): names with units
// last, bit positions, scales, ranges and value names. The decoders in
// can_v1_frames.cc take their lengths from it, tests hold their ranges and
// layouts to it, and the DBC file and the exports' decoded signals are made
// from it: one description of the wire, so none of them can drift.
#pragma once

#include <cstddef>
#include <cstdint>

#include "packtwin/firmware/can_frame.h"
#include "packtwin/firmware/can_v1_id.h"

namespace packtwin::firmware {

struct ValueName {
  uint32_t value;
  const char* name;
};

inline constexpr int16_t kAlways = -1;  // a signal present whatever the multiplexor says

struct SignalSpec {
  const char* name;   // unit last: "pack_V", "soc_pct", "p_grid_W"
  uint8_t start_bit;  // little-endian (Intel): byte * 8 + bit
  uint8_t bits;
  bool is_signed;
  int32_t scale_num;  // physical = raw * scale_num / scale_den
  int32_t scale_den;
  const char* unit;   // "" for counts, flags and codes
  int64_t min_raw;    // the range the decoder accepts (the type's whole range when it checks none)
  int64_t max_raw;
  const ValueName* values;  // named values (codes, enums), or nullptr
  uint8_t value_count;
  bool multiplexor;   // COMMAND's cmd: which arguments follow
  int16_t mux_value;  // kAlways, or the multiplexor value this signal belongs to
};

struct FrameSpec {
  CanFunction function;
  const char* name;  // "TEL_BATT"
  const char* sender;
  uint8_t min_len;
  uint8_t max_len;
  const SignalSpec* signals;
  uint8_t signal_count;
};

// Every frame of protocol v1, in function order.
const FrameSpec* CanV1Frames();
size_t CanV1FrameCount();
// The spec of `function`; nullptr for a function protocol v1 does not have.
const FrameSpec* CanV1FrameSpec(CanFunction function);

// The raw value of `signal` in `frame` (sign-extended when signed); false
// when the frame is too short to hold it.
bool SignalRaw(const SignalSpec& signal, const CanFrame& frame, int64_t* raw);
// Whether a multiplexed signal is present for this multiplexor value.
bool SignalPresent(const SignalSpec& signal, int64_t multiplexor_raw);

}  // namespace packtwin::firmware
