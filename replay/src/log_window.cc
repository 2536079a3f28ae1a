#include "log_window.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "packtwin/bus/clock.h"

namespace packtwin::replay {

Status ForEachInWindow(const std::string& db, const std::optional<TimeSpec>& from, const std::optional<TimeSpec>& until,
                       const std::function<void(const eventlog::StoredEvent&, const v1::Event&)>& fn) {
  auto reader = eventlog::EventReader::Open(db);
  if (!reader.ok()) return reader.status();
  auto counts = (*reader)->Counts();
  if (!counts.ok()) return counts.status();
  const int64_t from_ns = from ? from->Resolve(counts->first_wall_ns) : INT64_MIN;
  const int64_t until_ns = until ? until->Resolve(counts->first_wall_ns) : INT64_MAX;
  return eventlog::ForEachEvent(**reader, 0, [&](const eventlog::StoredEvent& row, const v1::Event& event) -> Result<bool> {
    if (row.wall_ns >= until_ns) return false;
    if (row.wall_ns >= from_ns) fn(row, event);
    return true;
  });
}

bool WaitUntil(int64_t due_ns, const std::function<bool()>& stop) {
  for (int64_t wait_ns = due_ns - bus::MonotonicNs(); wait_ns > 0; wait_ns = due_ns - bus::MonotonicNs()) {
    if (stop && stop()) return false;
    std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<int64_t>(wait_ns, 50'000'000)));
  }
  return !(stop && stop());
}

}  // namespace packtwin::replay
