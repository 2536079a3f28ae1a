// What a scenario run reports: the check expectation judged on the capture,
// and the result as text and JSON.
#include <fmt/format.h>

#include <algorithm>

#include "packtwin/base/time_spec.h"
#include "packtwin/eventlog/event_reader.h"
#include "packtwin/replay/scenario_run.h"
#include "packtwin/twin/check.h"
#include "scenario_judge.h"

namespace packtwin::replay {

Status EvaluateCheck(const Scenario& scenario, const std::string& capture, ScenarioResult* result) {
  auto reader = eventlog::EventReader::Open(capture);
  if (!reader.ok()) return reader.status();
  auto report = twin::CheckLog(**reader);
  if (!report.ok()) return report.status();
  std::string seen;
  for (const auto& f : report->findings) {
    result->check_rules.push_back(f.rule);
    if (seen.size() < 300) seen += fmt::format("{}{} at {}", seen.empty() ? "" : ", ", f.rule, FormatUtc(f.wall_ns));
  }
  if (seen.empty()) seen = "clean";
  const auto& check = scenario.check;
  const int64_t end_ms = scenario.site.duration_ms;
  if (check.clean && !report->findings.empty()) {
    result->failures.push_back({check.path, end_ms, "check clean", seen});
  }
  for (const auto& rule : check.rules) {
    const bool reported = std::find(result->check_rules.begin(), result->check_rules.end(), rule) != result->check_rules.end();
    if (!reported) result->failures.push_back({check.path, end_ms, "check reports " + rule, seen});
  }
  return Status::Ok();
}

std::string FormatScenarioTime(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out = ms < 0 ? "-" : "";
  int64_t rest = ms < 0 ? -ms : ms;
  const int64_t h = rest / 3'600'000;
  const int64_t m = rest / 60'000 % 60;
  const int64_t s = rest / 1000 % 60;
  const int64_t milli = rest % 1000;
  if (h > 0) out += fmt::format("{}h", h);
  if (m > 0) out += fmt::format("{}m", m);
  if (s > 0) out += fmt::format("{}s", s);
  if (milli > 0) out += fmt::format("{}ms", milli);
  return out;
}

std::string FailureAsText(const ExpectationFailure& f) {
  return fmt::format("{} at {}: expected {}, seen {}", f.path, FormatScenarioTime(f.at_ms), f.expected, f.seen);
}

nlohmann::ordered_json ResultAsJson(const ScenarioResult& result) {
  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  for (const auto& f : result.failures) {
    failures.push_back({{"expectation", f.path}, {"at_ms", f.at_ms}, {"at", FormatScenarioTime(f.at_ms)},
                        {"expected", f.expected}, {"seen", f.seen}});
  }
  return {{"scenario", result.name},
          {"passed", result.passed()},
          {"capture", result.capture},
          {"events", result.summary.events},
          {"frames", result.summary.frames},
          {"modbus_exchanges", result.summary.modbus_exchanges},
          {"relay_changes", result.summary.relay_changes},
          {"expectations", result.expectations},
          {"check_rules", result.check_rules},
          {"failures", failures}};
}

}  // namespace packtwin::replay
