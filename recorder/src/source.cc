#include "packtwin/recorder/source.h"

#include "packtwin/bus/clock.h"

namespace packtwin::recorder {

v1::Event NewEvent(const std::string& source) {
  v1::Event event;
  event.set_capture_time_ns(bus::MonotonicNs());
  event.set_wall_time_ns(bus::WallNs());
  event.set_source(source);
  return event;
}

}  // namespace packtwin::recorder
