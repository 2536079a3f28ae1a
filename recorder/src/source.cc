#include "packtwin/recorder/source.h"

#include <ctime>

namespace packtwin::recorder {
namespace {
int64_t Now(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

int64_t MonotonicNs() { return Now(CLOCK_MONOTONIC); }
int64_t WallNs() { return Now(CLOCK_REALTIME); }

v1::Event NewEvent(const std::string& source) {
  v1::Event event;
  event.set_capture_time_ns(MonotonicNs());
  event.set_wall_time_ns(WallNs());
  event.set_source(source);
  return event;
}

}  // namespace packtwin::recorder
