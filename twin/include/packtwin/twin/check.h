// `packtwin check`: every place where what the devices did (RELAY_EVT, TEL
// status and relays, heartbeats, ACKs) differs from what the rules require,
// with the evidence. A decision gets one control cycle plus jitter (2.5 s) to
// show before it counts as missing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/eventlog/verify.h"

namespace packtwin::twin {

struct Finding {
  int64_t wall_ns = 0;
  uint8_t node = 0;      // 0: the site
  std::string rule;      // "grid-closed-in-lockout"
  std::string section;   // "docs/spec/pack-behaviour.md: Grid import limit" (the spec ships in docs/spec/)
  std::string expected;
  std::string observed;
  std::vector<uint64_t> evidence;  // sequence numbers of the events that show it
};

struct CheckReport {
  uint64_t events = 0;
  std::vector<Finding> findings;
  std::vector<uint8_t> nodes_seen;  // every node the log has frames of, ascending
};

// Narrows what a check reports (`check --rule`, `check --node`). Every rule
// still watches the whole log, so a finding is the same whether narrowed or not.
struct CheckScope {
  std::vector<std::string> rules;  // names from CheckRules(); empty: every rule
  std::optional<uint8_t> node;     // only findings about this node
};

Result<CheckReport> CheckLog(eventlog::EventReader& reader, const ProgressFn& progress = {});
Result<CheckReport> CheckLog(eventlog::EventReader& reader, const CheckScope& scope, const ProgressFn& progress = {});

std::string FindingAsText(const Finding& finding);
nlohmann::ordered_json FindingAsJson(const Finding& finding);

}  // namespace packtwin::twin
