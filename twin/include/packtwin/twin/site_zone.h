// The site's UTC offset as its bridge announces it in TIME frames, so times
// can be printed as the site's own clocks show them (--tz site).
#pragma once

#include <optional>

#include "packtwin/eventlog/event_reader.h"

namespace packtwin::twin {

// The offset of the first valid TIME frame within the log's first events;
// nullopt when there is none (then times are printed in UTC).
Result<std::optional<int>> SiteUtcOffsetMin(eventlog::EventReader& reader);

}  // namespace packtwin::twin
