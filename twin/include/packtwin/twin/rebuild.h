// Rebuilds the twin from a log: folds its events in sequence order, up to a
// sequence number or a wall time.
#pragma once

#include <cstdint>
#include <optional>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/eventlog/verify.h"
#include "packtwin/twin/fold.h"

namespace packtwin::twin {

struct RebuildLimit {
  std::optional<uint64_t> last_seq;     // fold events with seq <= this
  std::optional<int64_t> last_wall_ns;  // fold events with wall time <= this
};

Result<TwinState> Rebuild(eventlog::EventReader& reader, const RebuildLimit& limit, const ChangeFn& on_change = {},
                          const ProgressFn& progress = {});

class SnapshotStore;

// Every this many events the rebuild leaves a snapshot behind.
inline constexpr uint64_t kSnapshotEvery = 65536;

// The same state as Rebuild, starting from the nearest valid snapshot at or
// before the limit and storing new ones on the way (every `every` events).
Result<TwinState> RebuildFromSnapshots(eventlog::EventReader& reader, SnapshotStore& store, const RebuildLimit& limit,
                                       uint64_t every = kSnapshotEvery, const ProgressFn& progress = {});

}  // namespace packtwin::twin
