#include "packtwin/view/log_queries.h"

#include "lanes.h"

#include "packtwin/twin/check.h"
#include "packtwin/twin/rebuild.h"
#include "packtwin/twin/state_report.h"
#include "packtwin/twin/timeline.h"

namespace packtwin::view {

Result<std::unique_ptr<LogQueries>> LogQueries::Open(const std::string& db) {
  auto reader = eventlog::EventReader::Open(db);
  if (!reader.ok()) return reader.status();
  std::unique_ptr<LogQueries> queries(new LogQueries());
  // As every command: located damage is left out (the page names it from /api/info).
  (*reader)->SkipLocatedDamage(true);
  queries->reader_ = std::move(*reader);
  auto snapshots = twin::SnapshotStore::Open(db);
  if (snapshots.ok()) queries->snapshots_ = std::move(*snapshots);
  queries->walked_ = std::async(std::launch::async, [db] { return Walk(db); }).share();
  return queries;
}

// As `state --at` does: from the nearest snapshot, else a fold from the start.
Result<nlohmann::ordered_json> LogQueries::StateAt(int64_t at_ns) {
  std::lock_guard lock(mutex_);
  twin::RebuildLimit limit;
  limit.last_wall_ns = at_ns;
  auto state = snapshots_ ? twin::RebuildFromSnapshots(*reader_, *snapshots_, limit) : twin::Rebuild(*reader_, limit);
  if (!state.ok()) return state.status();
  auto out = twin::StateAsJson(*state, at_ns, std::nullopt);
  out["t_ns"] = at_ns;
  return out;
}

Result<nlohmann::ordered_json> LogQueries::Findings() { return walked_.get().findings; }

Result<nlohmann::ordered_json> LogQueries::Timeline() { return walked_.get().timeline; }

Result<nlohmann::ordered_json> LogQueries::Lanes() { return walked_.get().lanes; }

LogQueries::Walked LogQueries::Walk(const std::string& db) {
  Walked walked;
  auto reader = eventlog::EventReader::Open(db);
  if (!reader.ok()) {
    walked.findings = reader.status();
    walked.timeline = reader.status();
    walked.lanes = reader.status();
    return walked;
  }
  (*reader)->SkipLocatedDamage(true);
  auto report = twin::CheckLog(**reader);
  if (report.ok()) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const twin::Finding& finding : report->findings) {
      auto item = twin::FindingAsJson(finding);
      item["t_ns"] = finding.wall_ns;
      list.push_back(std::move(item));
    }
    walked.findings = std::move(list);
  } else {
    walked.findings = report.status();
  }
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  uint64_t total = 0;
  auto counts = (*reader)->Counts();
  LaneBuilder lanes(counts.ok() ? counts->first_wall_ns : 0);
  auto state = twin::Rebuild(**reader, {}, [&](const twin::Change& change) {
    lanes.Add(change);
    if (++total > kMaxTimelineEntries) return;
    auto item = twin::ChangeAsJson(change);
    item["t_ns"] = change.wall_ns;
    changes.push_back(std::move(item));
  });
  if (state.ok()) {
    walked.timeline = nlohmann::ordered_json{{"changes", std::move(changes)}, {"total", total}};
    walked.lanes = lanes.Finish(state->last_wall_ns, *state);
  } else {
    walked.timeline = state.status();
    walked.lanes = state.status();
  }
  return walked;
}

}  // namespace packtwin::view
