// The events of a log between two moments (--from, --until), as playback of
// CAN frames and of MQTT messages both read them.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "packtwin/base/status.h"
#include "packtwin/base/time_spec.h"
#include "packtwin/eventlog/event_reader.h"

namespace packtwin::replay {

// Calls fn for each event with from <= wall time < until (both relative to
// the log's first event when given as seconds), in order.
Status ForEachInWindow(const std::string& db, const std::optional<TimeSpec>& from, const std::optional<TimeSpec>& until,
                       const std::function<void(const eventlog::StoredEvent&, const v1::Event&)>& fn);

// Sleeps until the monotonic clock reaches due_ns, in 50 ms slices so Ctrl-C
// is answered even across a long gap; false when stop() said so.
bool WaitUntil(int64_t due_ns, const std::function<bool()>& stop);

}  // namespace packtwin::replay
