// What the view asks of a log beyond its telemetry: the twin's state at a
// moment (the same JSON `state --at` prints, from the snapshots in DB.twin),
// check's findings and the timeline of changes. Findings and the timeline are
// computed once, on first use; each item carries its time in nanoseconds
// (t_ns) beside the printed form, by a thread of their own started at Open
// (so the page's first requests do not wait for a whole fold). Safe to call
// from the server's threads.
#pragma once

#include <cstdint>
#include <future>
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
  // Bands per pack and for the site (view/src/lanes.h), from the same fold as the timeline.
  Result<nlohmann::ordered_json> Lanes();

 private:
  // Findings and timeline, from a reader of their own.
  struct Walked {
    Result<nlohmann::ordered_json> findings = nlohmann::ordered_json::array();
    Result<nlohmann::ordered_json> timeline = nlohmann::ordered_json::object();
    Result<nlohmann::ordered_json> lanes = nlohmann::ordered_json::object();
  };
  static Walked Walk(const std::string& db);

  LogQueries() = default;

  std::mutex mutex_;  // one state query at a time: the reader and the snapshot store are not shared
  std::unique_ptr<eventlog::EventReader> reader_;
  std::unique_ptr<twin::SnapshotStore> snapshots_;  // none when DB.twin cannot be opened (read-only media)
  std::shared_future<Walked> walked_;
};

}  // namespace packtwin::view
