// The Energy-Pack reducer: the same functions run in the pack's main loop and
// in the twin. Time arrives as an argument; effects go to a fixed buffer.
//
// Driving it: call PackRunDue(now) until it returns false (each call runs one
// periodic duty at its own deadline: BMS timeout, BMS retry, daily reset,
// control cycle, in that order on a tie), carrying out the effects after
// each call; then feed the input that arrived at `now`.
#pragma once

#include <cstddef>
#include <cstdint>

#include "packtwin/firmware/can_frame.h"
#include "packtwin/firmware/effects.h"
#include "packtwin/firmware/measurement.h"
#include "packtwin/firmware/pack_state.h"

namespace packtwin::firmware {

// Power-on. `stored` is what non-volatile storage holds (invalid when fresh).
void PackBoot(PackState* state, uint64_t serial, const PackSettings& stored, uint64_t now_ms, Effects* effects);

// Runs the earliest duty due at or before now_ms; false when none is due.
bool PackRunDue(PackState* state, uint64_t now_ms, Effects* effects);
uint64_t PackNextDeadlineMs(const PackState& state);

void PackOnCanFrame(PackState* state, const CanFrame& frame, uint64_t now_ms, Effects* effects);
void PackOnBmsBytes(PackState* state, const uint8_t* bytes, size_t len, uint64_t now_ms, Effects* effects);
void PackOnCtSample(PackState* state, const CtSample& sample, uint64_t now_ms, Effects* effects);

}  // namespace packtwin::firmware
