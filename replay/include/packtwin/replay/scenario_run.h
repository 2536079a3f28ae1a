// `packtwin scenario run/test`: a scenario's site runs in the simulator (each
// pack the firmware reducer, each BMS a Modbus model behind the pack's RTU
// link, the bus with arbitration by id), everything is recorded as a capture,
// and the expectations are evaluated against the packs' state as it evolves
// and, for "check", against `packtwin check` of the capture.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "packtwin/base/status.h"
#include "packtwin/replay/scenario.h"

namespace packtwin::replay {

struct ExpectationFailure {
  std::string path;  // "$.expect[2]"
  int64_t at_ms = 0;
  std::string expected;
  std::string seen;
};

struct ScenarioResult {
  std::string name;
  std::string capture;  // where it was written ("" when not kept)
  SimSummary summary;
  int expectations = 0;
  std::vector<ExpectationFailure> failures;
  std::vector<std::string> check_rules;  // what `check` reported, when the scenario asked
  bool passed() const { return failures.empty(); }
};

struct ScenarioRunOptions {
  std::string output;  // empty: a temporary capture, removed afterwards
  bool force = false;
  std::vector<std::string> inputs;  // the scenario file: never replaced by the output
  std::optional<uint64_t> seed;  // overrides the scenario's
  std::string tool_version;
};

Result<ScenarioResult> RunScenario(const Scenario& scenario, const ScenarioRunOptions& options);

// "1m30s" from ms, for messages in the scenario's own terms.
std::string FormatScenarioTime(int64_t ms);
std::string FailureAsText(const ExpectationFailure& failure);
nlohmann::ordered_json ResultAsJson(const ScenarioResult& result);

}  // namespace packtwin::replay
