// A 64-bit digest of reducer state: FNV-1a over a canonical little-endian
// encoding of every field, in declaration order. Never hashes raw memory
// (padding) or protobuf bytes, so it is the same on every build and machine.
#pragma once

#include <cstdint>

#include "packtwin/firmware/pack_state.h"

namespace packtwin::firmware {

struct FleetState;

uint64_t StateDigest(const PackState& state);
uint64_t StateDigest(const FleetState& state);

}  // namespace packtwin::firmware
