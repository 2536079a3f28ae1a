// How long-running work reports how far it got, in whatever it counts
// (events, bytes, simulated ms): one callback type for every library, so a
// progress bar plugs into any of them.
#pragma once

#include <cstdint>
#include <functional>

namespace packtwin {

// `total` is 0 when the work does not know it (the caller may).
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

}  // namespace packtwin
