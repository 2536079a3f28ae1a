#include "packtwin/base/counted.h"
#include "packtwin/replay/demo.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/base/time_spec.h"
#include "packtwin/replay/scenario.h"
#include "packtwin/replay/scenario_run.h"
#include "packtwin/replay/site_sim.h"
#include "packtwin/twin/check.h"
#include "packtwin/twin/names.h"
#include "packtwin/twin/rebuild.h"
#include "packtwin/twin/state_report.h"

namespace packtwin::replay {
namespace {

constexpr size_t kTimelineLines = 12;

// The MQTT side, in a minute of two packs: the app switches Eco on.
constexpr const char* kBridgeScene = R"({
  "description": "demo: the app switches Eco on through the bridge",
  "duration": "40s",
  "site": {"bridge": {"mqtt": true},
           "packs": [{"name": "A", "serial": "24A1600000A1", "node_id": 42, "bms": {"voltage_mV": 52000}},
                     {"name": "B", "serial": "24A1600000B2", "node_id": 43, "bms": {"voltage_mV": 52000}}]},
  "timeline": [{"at": "30s", "mqtt": {"topic": "alfaspark/commands/mode", "payload": {"id": "app-1", "mode": "eco", "on": true}}}],
  "expect": [{"check": "clean"}]
})";

// The app's command, its CAN frame, the ACKs and the result, from the bridge's log.
Status ShowBridge(const DemoRequest& request, std::ostream& out) {
  auto scenario = ParseScenario(kBridgeScene, "demo");
  if (!scenario.ok()) return scenario.status();
  const std::string db = (std::filesystem::path(request.work_dir) / "demo-bridge.db").string();
  ScenarioRunOptions options;
  options.output = db;
  options.force = true;
  options.tool_version = request.tool_version;
  auto run = RunScenario(*scenario, options);
  if (!run.ok()) return run.status();
  auto reader = eventlog::EventReader::Open(db);
  if (!reader.ok()) return reader.status();
  out << fmt::format("\n== the MQTT side (`packtwin timeline {}`): the app's command, its CAN frame, the ACKs, the result\n", db);
  auto state = twin::Rebuild(**reader, {}, [&](const twin::Change& c) {
    const bool app = c.kind == twin::ChangeKind::kMqtt && (!c.mqtt_out || c.mqtt_topic == "alfaspark/commands/result");
    if (app || c.kind == twin::ChangeKind::kCommand || c.kind == twin::ChangeKind::kAck) {
      out << fmt::format("  {}  {:<5} {}\n", FormatUtc(c.wall_ns), c.node == 0 ? "site" : twin::NodeName(c.node), twin::ChangeText(c));
    }
  });
  if (!state.ok()) return state.status();
  if (!run->failures.empty()) return Status::Failed("the simulated bridge broke its contract: " + FailureAsText(run->failures.front()));
  return Status::Ok();
}

std::string Hours(int64_t ms) { return ms % 3'600'000 == 0 ? fmt::format("{}h", ms / 3'600'000) : fmt::format("{}s", ms / 1000); }

}  // namespace

Status RunDemo(const DemoRequest& request, std::ostream& out) {
  const std::string db = (std::filesystem::path(request.work_dir) / "demo.db").string();
  SimConfig config;
  config.packs = request.packs;
  config.duration_ms = request.duration_ms;
  config.seed = request.seed;
  config.output = db;
  config.site = "demo";
  config.tool_version = request.tool_version;
  config.force = true;  // the demo's own scratch file
  auto simulated = Simulate(config);
  if (!simulated.ok()) return simulated.status();
  out << fmt::format("== simulated, as `packtwin simulate --packs {} --duration {} --seed {} -o {}` does\n",
                     request.packs, Hours(request.duration_ms), request.seed, db);
  out << fmt::format("{} events: {} CAN frames, {} BMS exchanges, {} relay changes\n\n", simulated->events,
                     simulated->frames, simulated->modbus_exchanges, simulated->relay_changes);

  auto reader = eventlog::EventReader::Open(db);
  if (!reader.ok()) return reader.status();
  std::map<std::string, int> by_kind;
  std::vector<std::string> lines;
  auto state = twin::Rebuild(**reader, {}, [&](const twin::Change& c) {
    ++by_kind[twin::ChangeKindName(c.kind)];
    if (lines.size() < kTimelineLines && c.kind != twin::ChangeKind::kTime) {
      lines.push_back(fmt::format("  {}  {:<5} {}", FormatUtc(c.wall_ns), c.node == 0 ? "site" : twin::NodeName(c.node),
                                  twin::ChangeText(c)));
    }
  });
  if (!state.ok()) return state.status();
  out << fmt::format("== the state at the end (`packtwin state {}`)\n{}\n", db,
                     twin::StateAsText(*state, state->last_wall_ns, std::nullopt));
  out << fmt::format("== the timeline: changes by kind and the first {} (`packtwin timeline {}` lists them all)\n",
                     kTimelineLines, db);
  for (const auto& [kind, count] : by_kind) out << fmt::format("  {:<12} {}\n", kind, count);
  out << "first changes:\n";
  for (const auto& line : lines) out << line << "\n";

  auto report = twin::CheckLog(**reader);
  if (!report.ok()) return report.status();
  out << fmt::format("\n== the rules (`packtwin check {}`)\n", db);
  for (const auto& finding : report->findings) out << twin::FindingAsText(finding);
  if (report->findings.empty()) {
    out << fmt::format("{}: clean: {} events, nothing the rules forbid\n", db, report->events);
    return ShowBridge(request, out);
  }
  out << fmt::format("{}: {}\n", db, Counted(report->findings.size(), "finding"));
  return Status::Failed("the simulated site broke a rule: the firmware and the twin disagree");
}

}  // namespace packtwin::replay
