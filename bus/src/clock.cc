#include "packtwin/bus/clock.h"

#include <ctime>

namespace packtwin::bus {
namespace {
int64_t Now(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

int64_t MonotonicNs() { return Now(CLOCK_MONOTONIC); }
int64_t WallNs() { return Now(CLOCK_REALTIME); }

}  // namespace packtwin::bus
