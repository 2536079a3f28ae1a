// `state`, `timeline` and `digest`: the twin rebuilt from a log.
#include <fmt/format.h>

#include <map>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "packtwin/base/counted.h"
#include "packtwin/base/time_spec.h"
#include "packtwin/twin/check.h"
#include "packtwin/twin/check_rules.h"
#include "packtwin/twin/names.h"
#include "packtwin/twin/rebuild.h"
#include "packtwin/twin/site_zone.h"
#include "packtwin/twin/snapshot_store.h"
#include "packtwin/twin/bridge_view.h"
#include "packtwin/twin/state_report.h"
#include "progress_bar.h"

namespace packtwin::cli {
namespace {

// "0x2A", "2A" or "42" -> node id 1..126.
std::optional<uint8_t> ParseNode(const std::string& text) {
  if (text.empty() || text.size() > 4) return std::nullopt;
  const bool hex = text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0;
  const std::string digits = hex ? text.substr(2) : text;
  if (digits.empty() || digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const unsigned long value = std::stoul(digits, nullptr, hex ? 16 : 10);
  if (value < 1 || value > 0x7E) return std::nullopt;
  return static_cast<uint8_t>(value);
}

bool ResolveTime(const std::string& flag, const std::string& text, int64_t start_ns, int64_t* out, int& exit_code) {
  auto parsed = ParseTimeSpec(text);
  if (auto* error = std::get_if<ParseError>(&parsed)) {
    fmt::print(stderr, "packtwin: {} '{}': {}\n", flag, text, error->Describe());
    exit_code = kExitUsage;
    return false;
  }
  *out = std::get<TimeSpec>(parsed).Resolve(start_ns);
  return true;
}

}  // namespace

bool ApplyDisplayZone(const std::string& tz, eventlog::EventReader& reader, int& /*exit_code*/) {
  DisplayZone zone;
  if (tz == "local") {
    zone.kind = DisplayZone::Kind::kLocal;
  } else if (tz == "site") {
    // A log that cannot be read this far is reported by the command itself
    // as it reads; its times are then printed in UTC.
    auto offset = twin::SiteUtcOffsetMin(reader);
    if (offset.ok() && *offset && **offset != 0) {
      zone.kind = DisplayZone::Kind::kOffset;
      zone.offset_min = **offset;
    }
  }
  SetDisplayZone(zone);
  return true;
}

namespace {

// A moment the log does not cover is a mistake worth saying, not an empty answer.
bool InsideLog(const std::string& flag, const std::string& text, int64_t at_ns, const eventlog::EventCounts& counts,
               int& exit_code) {
  if (counts.events == 0 || (at_ns >= counts.first_wall_ns && at_ns <= counts.last_wall_ns)) return true;
  exit_code = Fail(fmt::format("{} '{}' is {}, outside the log, which runs from {} to {}", flag, text,
                               at_ns == INT64_MAX || at_ns == INT64_MIN ? "out of range" : FormatUtc(at_ns),
                               FormatUtc(counts.first_wall_ns), FormatUtc(counts.last_wall_ns)));
  return false;
}

// --node names a node the log knows, else the answer would be silently empty.
bool NodeInLog(const twin::TwinState& state, std::optional<uint8_t> node, int& exit_code) {
  if (!node || state.fleet.nodes.nodes[*node].present || state.packs.count(*node) != 0) return true;
  std::string seen;
  for (uint8_t id = 1; id < firmware::kNodeSlots; ++id) {
    if (state.fleet.nodes.nodes[id].present || state.packs.count(id) != 0) seen += (seen.empty() ? "" : ", ") + twin::NodeName(id);
  }
  exit_code = Fail(fmt::format("--node {}: no such node in the log up to that moment (nodes seen: {})",
                               twin::NodeName(*node), seen.empty() ? "none" : seen));
  return false;
}

bool ResolveNode(const std::string& text, std::optional<uint8_t>* node, int& exit_code) {
  if (text.empty()) return true;
  *node = ParseNode(text);
  if (*node) return true;
  fmt::print(stderr, "packtwin: --node '{}': expected a node id 0x01..0x7E, e.g. 0x2A\n", text);
  exit_code = kExitUsage;
  return false;
}

// What state and timeline both start with: the log, the node filter, the time span.
struct LogRequest {
  std::unique_ptr<eventlog::EventReader> reader;
  std::optional<uint8_t> node;
  eventlog::EventCounts counts;
};

std::optional<LogRequest> OpenRequest(const std::string& db, const std::string& node_text, int& exit_code) {
  LogRequest request;
  request.reader = OpenLog(db, exit_code);
  if (!request.reader || !ResolveNode(node_text, &request.node, exit_code)) return std::nullopt;
  auto counts = request.reader->Counts();
  if (!counts.ok()) {
    exit_code = Fail(counts.status());
    return std::nullopt;
  }
  request.counts = *counts;
  return request;
}

Result<twin::TwinState> RebuildWithProgress(eventlog::EventReader& reader, const twin::RebuildLimit& limit,
                                            const twin::ChangeFn& on_change) {
  return WithEventProgress(reader, "rebuilding",
                           [&](const ProgressFn& progress) { return twin::Rebuild(reader, limit, on_change, progress); });
}

// From the nearest snapshot in DB.twin (made on the way); a plain rebuild
// when the sidecar cannot be opened (read-only media).
Result<twin::TwinState> RebuildSnapshotted(eventlog::EventReader& reader, const twin::RebuildLimit& limit) {
  auto store = twin::SnapshotStore::Open(reader.path());
  if (!store.ok()) return RebuildWithProgress(reader, limit, {});
  return WithEventProgress(reader, "rebuilding", [&](const ProgressFn& progress) {
    return twin::RebuildFromSnapshots(reader, **store, limit, twin::kSnapshotEvery, progress);
  });
}

}  // namespace

namespace {

// "bridge (MQTT): what it last published per topic; the twin's where it differs"
std::string BridgeText(const std::map<std::string, twin::BridgeTopicView>& bridge) {
  constexpr size_t kShown = 100;
  auto shown = [](const std::string& payload) {
    if (payload.empty()) return std::string("(nothing)");
    return payload.size() > kShown ? payload.substr(0, kShown) + "..." : payload;
  };
  std::string out = "bridge (MQTT): last publication per topic, and the twin's where it differs (ts_ms aside)\n";
  for (const auto& [topic, v] : bridge) {
    out += fmt::format("  {:<28} {}{}\n", topic, shown(v.published),
                       v.published_seq ? fmt::format("  [seq {}]", v.published_seq) : std::string());
    if (v.differs) out += fmt::format("  {:<28} twin: {}\n", "", shown(v.twin));
  }
  return out;
}

}  // namespace

void AddStateCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db, at, node, tz = "site";
    uint64_t seq = 0;
    bool seq_given = false;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("state", "The fleet and every pack as the log shows them at a moment");
  cmd->add_option("DB", options->db, "event log")->required();
  auto* at = cmd->add_option("--at", options->at,
                             "the moment: ISO 8601 (2026-11-21T05:00:00Z, +01:00, or local) or seconds from the start "
                             "(default: the end)");
  cmd->add_option("--seq", options->seq, "the moment: after this event (1 = the first)")
      ->excludes(at)
      ->each([options](const std::string&) { options->seq_given = true; });
  cmd->add_option("--node", options->node, "only this node, e.g. 0x2A");
  cmd->add_option("--tz", options->tz, kTzHelp)->check(CLI::IsMember({"site", "utc", "local"}))->capture_default_str();
  cmd->add_flag("--json", options->json, "print as JSON");
  cmd->callback([options, &exit_code] {
    auto request = OpenRequest(options->db, options->node, exit_code);
    if (!request || !ApplyDisplayZone(options->tz, *request->reader, exit_code)) return;
    auto& reader = request->reader;
    const auto& node = request->node;
    const eventlog::EventCounts* counts = &request->counts;
    twin::RebuildLimit limit;
    int64_t at_ns = counts->last_wall_ns;
    if (!options->at.empty()) {
      if (!ResolveTime("--at", options->at, counts->first_wall_ns, &at_ns, exit_code)) return;
      if (!InsideLog("--at", options->at, at_ns, *counts, exit_code)) return;
      limit.last_wall_ns = at_ns;
    }
    if (options->seq_given) {
      if (options->seq == 0 || options->seq > counts->last_seq) {
        exit_code = Fail(fmt::format("--seq {}: the log's events are seq 1 to {}", options->seq, counts->last_seq));
        return;
      }
      limit.last_seq = options->seq;
    }
    auto state = RebuildSnapshotted(*reader, limit);
    if (!state.ok()) {
      exit_code = Fail(state.status());
      return;
    }
    if (!NodeInLog(*state, node, exit_code)) return;
    if (options->seq_given) at_ns = state->last_wall_ns;
    // The bridge's MQTT side, when the log holds it (site-wide: not with --node).
    std::map<std::string, twin::BridgeTopicView> bridge;
    if (!node) {
      auto view = twin::BuildBridgeView(*reader, limit);
      if (!view.ok()) {
        exit_code = Fail(view.status());
        return;
      }
      bridge = std::move(*view);
    }
    if (options->json) {
      auto out = twin::StateAsJson(*state, at_ns, node);
      if (!bridge.empty()) {
        for (const auto& [topic, v] : bridge) {
          out["bridge"][topic] = {{"published", v.published}, {"published_seq", v.published_seq}, {"twin", v.twin},
                                  {"differs", v.differs}};
        }
      }
      fmt::print("{}\n", out.dump(2));
    } else {
      fmt::print("{}", twin::StateAsText(*state, at_ns, node));
      if (!bridge.empty()) fmt::print("{}", BridgeText(bridge));
    }
    WarnSkippedDamaged(options->db, reader->skipped_damaged(), exit_code);
  });
}

void AddTimelineCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db, node, from, to, tz = "site";
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("timeline",
                                 "Every state change in order: relays, functions, limits, lockout, master, nodes "
                                 "joining and leaving, alarms, commands and ACKs");
  cmd->add_option("DB", options->db, "event log")->required();
  cmd->add_option("--node", options->node, "only changes of this node (and of the whole site), e.g. 0x2A");
  cmd->add_option("--from", options->from, "first time, inclusive: ISO 8601 or seconds from the start");
  cmd->add_option("--to", options->to, "end time, exclusive, in the same forms");
  cmd->add_option("--tz", options->tz, kTzHelp)->check(CLI::IsMember({"site", "utc", "local"}))->capture_default_str();
  cmd->add_flag("--json", options->json, "one JSON object per line");
  cmd->callback([options, &exit_code] {
    auto request = OpenRequest(options->db, options->node, exit_code);
    if (!request || !ApplyDisplayZone(options->tz, *request->reader, exit_code)) return;
    auto& reader = request->reader;
    const auto& node = request->node;
    const eventlog::EventCounts* counts = &request->counts;
    int64_t from_ns = INT64_MIN;
    int64_t to_ns = INT64_MAX;
    if (!options->from.empty() && !ResolveTime("--from", options->from, counts->first_wall_ns, &from_ns, exit_code)) return;
    if (!options->to.empty() && !ResolveTime("--to", options->to, counts->first_wall_ns, &to_ns, exit_code)) return;
    if (!options->from.empty() && !InsideLog("--from", options->from, from_ns, *counts, exit_code)) return;
    if (from_ns >= to_ns) {
      exit_code = Fail(fmt::format("--from {} is not before --to {}: nothing lies between", FormatUtc(from_ns),
                                   FormatUtc(to_ns)));
      return;
    }
    twin::RebuildLimit limit;
    if (to_ns != INT64_MAX) limit.last_wall_ns = to_ns;
    const bool json = options->json;
    auto state = RebuildWithProgress(*reader, limit, [&](const twin::Change& change) {
      if (change.wall_ns < from_ns || change.wall_ns >= to_ns) return;
      if (node && change.node != *node && change.node != 0) return;
      if (json) {
        fmt::print("{}\n", twin::ChangeAsJson(change).dump());
      } else {
        fmt::print("{}  {:<5} {:<12} {}  [seq {}]\n", FormatDisplayTime(change.wall_ns),
                   change.node == 0 ? "site" : twin::NodeName(change.node), twin::ChangeKindName(change.kind),
                   twin::ChangeText(change), change.seq);
      }
    });
    if (!state.ok()) {
      exit_code = Fail(state.status());
      return;
    }
    if (!NodeInLog(*state, node, exit_code)) return;
    WarnSkippedDamaged(options->db, request->reader->skipped_damaged(), exit_code);
  });
}

// " (rule eco-oscillation, node 0x2A)": says a check was narrowed.
std::string ScopeText(const twin::CheckScope& scope) {
  std::string parts;
  if (!scope.rules.empty()) {
    std::string names;
    for (const std::string& name : scope.rules) names += (names.empty() ? "" : ", ") + name;
    parts = (scope.rules.size() == 1 ? "rule " : "rules ") + names;
  }
  if (scope.node) parts += (parts.empty() ? "" : ", ") + std::string("node ") + twin::NodeName(*scope.node);
  return parts.empty() ? "" : " (" + parts + ")";
}

// `check --list-rules`: the rule table, as text or JSON.
void PrintCheckRules(bool json) {
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const twin::CheckRule& rule : twin::CheckRules()) {
      out.push_back({{"rule", rule.name}, {"family", rule.family}, {"section", "docs/spec/" + std::string(rule.section)},
                     {"description", rule.description}});
    }
    fmt::print("{}\n", out.dump(2));
    return;
  }
  for (const twin::CheckRule& rule : twin::CheckRules()) {
    fmt::print("{:<32} {:<12} docs/spec/{}\n    {}\n", rule.name, rule.family, rule.section, rule.description);
  }
}

// --rule names rules of the table; a typo would otherwise give a clean check.
bool ResolveRules(const std::vector<std::string>& names, int& exit_code) {
  for (const std::string& name : names) {
    if (twin::FindCheckRule(name) != nullptr) continue;
    fmt::print(stderr, "packtwin: --rule '{}': no such rule; 'packtwin check --list-rules' lists them\n", name);
    exit_code = kExitUsage;
    return false;
  }
  return true;
}

bool NodeSeen(const std::vector<uint8_t>& seen, std::optional<uint8_t> node, int& exit_code) {
  if (!node || std::find(seen.begin(), seen.end(), *node) != seen.end()) return true;
  std::string listed;
  for (uint8_t id : seen) listed += (listed.empty() ? "" : ", ") + twin::NodeName(id);
  exit_code = Fail(fmt::format("--node {}: no such node in the log (nodes seen: {})", twin::NodeName(*node),
                               listed.empty() ? "none" : listed));
  return false;
}

void AddCheckCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db, tz = "site", node;
    std::vector<std::string> rules;
    bool json = false, list_rules = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "check", "Every place where the devices did something the rules forbid; exit 0 when clean, 1 when not");
  auto* db = cmd->add_option("DB", options->db, "event log");
  auto* list = cmd->add_flag("--list-rules", options->list_rules, "print the rules check enforces (name, family, spec section, what it catches)");
  db->excludes(list);
  cmd->add_option("--rule", options->rules, "report only this rule's findings (repeat or comma-separate for several)")
      ->expected(1)->allow_extra_args(false)->take_all()->delimiter(',')->excludes(list);
  cmd->add_option("--node", options->node, "report only findings about this node, e.g. 0x2A")->excludes(list);
  cmd->add_option("--tz", options->tz, kTzHelp)->check(CLI::IsMember({"site", "utc", "local"}))->capture_default_str();
  cmd->add_flag("--json", options->json, "print the findings (or the rules) as JSON");
  cmd->callback([options, &exit_code] {
    if (options->list_rules) {
      PrintCheckRules(options->json);
      return;
    }
    if (options->db.empty()) {
      fmt::print(stderr, "packtwin: check: DB is required (or --list-rules); see 'packtwin check --help'\n");
      exit_code = kExitUsage;
      return;
    }
    twin::CheckScope scope;
    scope.rules = options->rules;
    if (!ResolveRules(scope.rules, exit_code) || !ResolveNode(options->node, &scope.node, exit_code)) return;
    auto reader = OpenLog(options->db, exit_code);
    if (!reader || !ApplyDisplayZone(options->tz, *reader, exit_code)) return;
    auto report = WithEventProgress(*reader, "checking",
                                    [&](const ProgressFn& progress) { return twin::CheckLog(*reader, scope, progress); });
    if (!report.ok()) {
      exit_code = Fail(report.status());
      return;
    }
    if (!NodeSeen(report->nodes_seen, scope.node, exit_code)) return;
    exit_code = report->findings.empty() ? kExitOk : kExitFailed;
    if (options->json) {
      nlohmann::ordered_json out = {{"file", options->db}, {"events", report->events}, {"findings", nlohmann::ordered_json::array()}};
      for (const auto& f : report->findings) out["findings"].push_back(twin::FindingAsJson(f));
      fmt::print("{}\n", out.dump(2));
      WarnSkippedDamaged(options->db, reader->skipped_damaged(), exit_code);
      return;
    }
    for (const auto& f : report->findings) fmt::print("{}", twin::FindingAsText(f));
    if (report->findings.empty() && !reader->skipped_damaged().empty()) {
      // Never "clean": what was skipped is unknown.
      fmt::print("{}: no finding in the {} read, but damaged events were skipped{}\n", options->db,
                 Counted(report->events, "event"), ScopeText(scope));
    } else if (report->findings.empty()) {
      fmt::print("{}: clean: {} events, nothing the rules forbid{}\n", options->db, report->events, ScopeText(scope));
    } else {
      fmt::print("{}: {} in {}{}\n", options->db, Counted(report->findings.size(), "finding"),
                 Counted(report->events, "event"), ScopeText(scope));
    }
    WarnSkippedDamaged(options->db, reader->skipped_damaged(), exit_code);
  });
}

void AddDigestCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("digest", "The twin's final state digest: the same log always gives the same one");
  cmd->add_option("DB", options->db, "event log")->required();
  cmd->add_flag("--json", options->json, "print as JSON");
  cmd->callback([options, &exit_code] {
    auto reader = OpenLog(options->db, exit_code);
    if (!reader) return;
    auto state = RebuildSnapshotted(*reader, {});
    if (!state.ok()) {
      exit_code = Fail(state.status());
      return;
    }
    const std::string digest = fmt::format("{:016x}", twin::TwinDigest(*state));
    if (options->json) {
      fmt::print("{}\n", nlohmann::ordered_json{{"file", options->db}, {"events", state->events},
                                                {"last_seq", state->last_seq}, {"digest", digest}}
                             .dump(2));
    } else {
      fmt::print("{}  {} ({} events)\n", digest, options->db, state->events);
    }
    WarnSkippedDamaged(options->db, reader->skipped_damaged(), exit_code);
  });
}

}  // namespace packtwin::cli
