// The scenario JSON format (scenarios/README.md) into a Scenario. Every key is
// checked; a mistake names its JSON path, what was expected and what was found.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "json_fields.h"
#include "packtwin/replay/scenario.h"
#include "scenario_parsers.h"

namespace packtwin::replay {
namespace {

std::optional<Scenario> ParseRoot(JsonFields root) {
  if (!root.ExpectObject({"name", "description", "start", "utc_offset_min", "duration", "seed", "site", "timeline",
                          "expect"})) {
    return std::nullopt;
  }
  Scenario scenario;
  scenario.name = root.String("name", false).value_or("");
  scenario.description = root.String("description", false).value_or("");
  if (auto start = root.UtcSeconds("start", false)) scenario.site.start_unix_s = *start;
  scenario.site.utc_offset_min = static_cast<int16_t>(root.Int("utc_offset_min", -720, 840, false).value_or(60));
  if (auto duration = root.Duration("duration", true)) {
    if (*duration <= 0) root.Fail(root.KeyPath("duration"), "must be positive");
    scenario.site.duration_ms = *duration;
  }
  scenario.seed = static_cast<uint64_t>(root.Int("seed", 0, INT64_MAX, false).value_or(1));
  if (auto site = root.Member("site", true)) ParseSite(*site, &scenario);
  if (!root.ok()) return std::nullopt;
  uint8_t next_seq = 1;
  if (auto timeline = root.Array("timeline", false)) {
    for (size_t i = 0; i < timeline->value().size() && root.ok(); ++i) {
      ParseStimulus(timeline->Element(i), &scenario, &next_seq);
    }
  }
  if (auto expect = root.Array("expect", false)) {
    for (size_t i = 0; i < expect->value().size() && root.ok(); ++i) ParseExpectation(expect->Element(i), &scenario);
  }
  if (!root.ok()) return std::nullopt;
  std::stable_sort(scenario.timeline.begin(), scenario.timeline.end(),
                   [](const Stimulus& a, const Stimulus& b) { return a.at_ms < b.at_ms; });
  return scenario;
}

}  // namespace

Result<Scenario> ParseScenario(const std::string& json_text, const std::string& source) {
  nlohmann::json doc;
  try {
    // nlohmann reports the failing byte only through its exception; it stays here.
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    return Status::InvalidArgument(fmt::format("{}: not JSON at byte {}: {}", source, e.byte, e.what()));
  } catch (const nlohmann::json::exception& e) {
    // A number beyond double's range (1e400) is out_of_range, not a parse error.
    return Status::InvalidArgument(fmt::format("{}: not usable JSON: {}", source, e.what()));
  }
  std::string error;
  auto scenario = ParseRoot(JsonFields(doc, "$", &error));
  if (!scenario) return Status::InvalidArgument(fmt::format("{}: {}", source, error));
  return std::move(*scenario);
}

Result<Scenario> LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(fmt::format("{}: cannot open the scenario: {}", path, std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  auto scenario = ParseScenario(text.str(), path);
  if (scenario.ok() && scenario->name.empty()) {
    std::string stem = path.substr(path.find_last_of('/') + 1);
    scenario->name = stem.substr(0, stem.rfind(".json"));
  }
  return scenario;
}

}  // namespace packtwin::replay
