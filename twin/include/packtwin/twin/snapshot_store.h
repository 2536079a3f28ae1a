// Snapshots of the twin, so `state --at` in a long log folds only from the
// nearest snapshot. They live in a sidecar file (DB.twin): the capture is
// never written. Each is keyed by the reducer version (a hash of the reducer
// sources, so any reducer change invalidates them) and carries the log's
// chain hash at its seq: equal hashes prove the log is unchanged up to there.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "packtwin/eventlog/sqlite_db.h"
#include "packtwin/base/status.h"
#include "packtwin/twin/twin_state.h"

namespace packtwin::twin {

// Which reducers built a snapshot; set by the build from the reducer sources.
std::string ReducerVersion();

struct Snapshot {
  uint64_t seq = 0;
  std::string event_hash;  // the log's chain hash of event `seq`
  uint64_t digest = 0;     // TwinDigest of the state
  std::string state;       // EncodeTwinState
};

std::string EncodeTwinState(const TwinState& state);
std::optional<TwinState> DecodeTwinState(const std::string& bytes);

class SnapshotStore {
 public:
  // Opens or creates `db_path` + ".twin"; an error when it cannot (read-only media).
  static Result<std::unique_ptr<SnapshotStore>> Open(const std::string& db_path);

  // The latest snapshot of this reducer version at or before `seq`.
  Result<std::optional<Snapshot>> LatestAtOrBefore(uint64_t seq);
  Status Put(const Snapshot& snapshot);
  Status Forget(uint64_t seq);
  Result<std::vector<Snapshot>> All();

 private:
  explicit SnapshotStore(eventlog::sqlite::Db db) : db_(std::move(db)) {}
  eventlog::sqlite::Db db_;
};

}  // namespace packtwin::twin
