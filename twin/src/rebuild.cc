#include "packtwin/twin/rebuild.h"

namespace packtwin::twin {

Result<TwinState> Rebuild(EventReader& reader, const RebuildLimit& limit, const ChangeFn& on_change,
                          const ProgressFn& progress) {
  auto cursor = reader.FromSeq(0);
  if (!cursor.ok()) return cursor.status();
  Folder folder(on_change);
  StoredEvent row;
  uint64_t done = 0;
  while (true) {
    auto more = (*cursor)->Next(&row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (limit.last_seq && row.seq > *limit.last_seq) break;
    // Logs are written in time order; the first event past the time ends it.
    if (limit.last_wall_ns && row.wall_ns > *limit.last_wall_ns) break;
    auto event = DecodeEvent(row);
    if (!event.ok()) return event.status();
    folder.Fold(*event);
    if (progress && (++done & 0x3FFF) == 0) progress(done);
  }
  return folder.state();
}

}  // namespace packtwin::twin
