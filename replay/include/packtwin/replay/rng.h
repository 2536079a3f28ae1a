// xorshift64*: a seeded sequence that is the same on every machine and build,
// so a simulation's seed names its capture exactly.
#pragma once

#include <cstdint>

namespace packtwin::replay {

struct Rng {
  uint64_t s;
  uint64_t Next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  // Uniform enough for loads and noise in [lo, hi].
  int32_t Range(int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(Next() % static_cast<uint64_t>(hi - lo + 1)); }
};

}  // namespace packtwin::replay
