// COMMAND handling through one static table (cmd -> handler, expected length).
#pragma once

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/effects.h"
#include "packtwin/firmware/pack_state.h"

namespace packtwin::firmware {

// Runs the command and returns the ACK status; the caller sends the ACK.
// *send_status asks for the three TEL frames after the ACK (REQUEST_STATUS).
AckStatus HandleCommand(PackState* state, const CommandFrame& command, uint64_t now_ms, Effects* effects,
                        bool* send_status);

}  // namespace packtwin::firmware
