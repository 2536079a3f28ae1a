// What the view asks of a log beyond its telemetry: the twin's state at a
// moment (the same JSON `state --at` prints, from the snapshots in DB.twin),
// check's findings and the timeline of changes. Findings and the timeline are
// computed once, on first use; each item carries its time in nanoseconds
// (t_ns) beside the printed form. Safe to call from the server's threads.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "packtwin/base/status.h"
#include "packtwin/eventlog/event_reader.h"
#include "packtwin/twin/snapshot_store.h"

namespace packtwin::view {

class LogQueries {
 public:
  // Timeline entries kept at most: the list is for reading beside the plots.
  static constexpr size_t kMaxTimelineEntries = 50'000;

  static Result<std::unique_ptr<LogQueries>> Open(const std::string& db);

  Result<nlohmann::ordered_json> StateAt(int64_t at_ns);
  Result<nlohmann::ordered_json> Findings();
  Result<nlohmann::ordered_json> Timeline();

 private:
  explicit LogQueries(std::string db) : db_(std::move(db)) {}

  std::string db_;
  std::mutex mutex_;  // one query at a time: the reader and the snapshot store are not shared
  std::unique_ptr<eventlog::EventReader> reader_;
  std::unique_ptr<twin::SnapshotStore> snapshots_;  // none when DB.twin cannot be opened (read-only media)
  std::optional<nlohmann::ordered_json> findings_;
  std::optional<nlohmann::ordered_json> timeline_;
};

}  // namespace packtwin::view
