#include "packtwin/twin/rebuild.h"

#include "packtwin/twin/snapshot_store.h"

namespace packtwin::twin {

Result<TwinState> Rebuild(eventlog::EventReader& reader, const RebuildLimit& limit, const ChangeFn& on_change,
                          const ProgressFn& progress) {
  Folder folder(on_change);
  uint64_t done = 0;
  Status folded = eventlog::ForEachEvent(reader, 0, [&](const eventlog::StoredEvent& row, const v1::Event& event) -> Result<bool> {
    if (limit.last_seq && row.seq > *limit.last_seq) return false;
    // Logs are written in time order; the first event past the time ends it.
    if (limit.last_wall_ns && row.wall_ns > *limit.last_wall_ns) return false;
    folder.Fold(event);
    if (progress && (++done & 0x3FFF) == 0) progress(done, 0);
    return true;
  });
  if (!folded.ok()) return folded;
  return folder.state();
}

}  // namespace packtwin::twin

namespace packtwin::twin {
namespace {

// The latest snapshot whose event hash still matches the log; stale ones
// (the log was replaced) are forgotten. Bounded by the snapshots stored.
Result<std::optional<TwinState>> ValidSnapshot(eventlog::EventReader& reader, SnapshotStore& store, uint64_t target_seq) {
  uint64_t below = target_seq;
  for (int tries = 0; tries < 1024; ++tries) {
    auto snapshot = store.LatestAtOrBefore(below);
    if (!snapshot.ok()) return snapshot.status();
    if (!*snapshot) return std::optional<TwinState>();
    auto hash = reader.HashAt((*snapshot)->seq);
    if (!hash.ok()) return hash.status();
    auto state = *hash == (*snapshot)->event_hash ? DecodeTwinState((*snapshot)->state) : std::nullopt;
    if (state) return state;
    PACKTWIN_RETURN_IF_ERROR(store.Forget((*snapshot)->seq));
    if ((*snapshot)->seq == 0) return std::optional<TwinState>();
    below = (*snapshot)->seq - 1;
  }
  return std::optional<TwinState>();
}

}  // namespace

Result<TwinState> RebuildFromSnapshots(eventlog::EventReader& reader, SnapshotStore& store, const RebuildLimit& limit,
                                       uint64_t every, const ProgressFn& progress) {
  uint64_t target = UINT64_MAX;
  if (limit.last_seq) target = *limit.last_seq;
  if (limit.last_wall_ns) {
    auto at = reader.LastSeqAtOrBefore(*limit.last_wall_ns);
    if (!at.ok()) return at.status();
    target = std::min(target, *at);
  }
  auto start = ValidSnapshot(reader, store, target);
  if (!start.ok()) return start.status();
  Folder folder = *start ? Folder(std::move(**start)) : Folder();
  uint64_t done = 0;
  Status folded = eventlog::ForEachEvent(reader, folder.state().last_seq + 1,
                               [&](const eventlog::StoredEvent& row, const v1::Event& event) -> Result<bool> {
                                 if (row.seq > target) return false;
                                 folder.Fold(event);
                                 // A state folded past skipped damage is not the log's: never kept.
                                 if (row.seq % every == 0 && reader.skipped_damaged().empty()) {
                                   const TwinState& state = folder.state();
                                   auto hash = reader.HashAt(row.seq);  // schema 2 keeps it per block only
                                   if (!hash.ok()) return hash.status();
                                   Status put = store.Put({row.seq, *hash, TwinDigest(state), EncodeTwinState(state)});
                                   if (!put.ok()) return put;
                                 }
                                 if (progress && (++done & 0x3FFF) == 0) progress(done, 0);
                                 return true;
                               });
  if (!folded.ok()) return folded;
  return folder.state();
}

}  // namespace packtwin::twin
