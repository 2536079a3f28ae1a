// The scenario format and runner: strict parsing with JSON paths, expectations
// that pass and fail with time, expected and seen, the check expectation both
// ways, determinism, and `scenario test`'s summary and exit code.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "packtwin/replay/scenario.h"
#include "packtwin/replay/scenario_run.h"
#include "test_support.h"

namespace packtwin {
namespace {

using nlohmann::json;

json EcoScenario() {
  return json::parse(R"({
    "duration": "90s",
    "site": {"packs": [{"name": "A", "serial": "24A160000A01", "functions": {"eco": true}, "eco_limit_W": 3000,
                        "bms": {"voltage_mV": 56000}, "loads": {"home_W": 1500, "pool_W": 700, "heater_W": 500}}]},
    "timeline": [{"at": "20s", "pack": "A", "loads": {"heater_W": 2000}}],
    "expect": [{"at": "19s", "pack": "A", "relay": "heater", "closed": true},
               {"at": "25s", "pack": "A", "relay": "heater", "closed": false}]
  })");
}

std::string ParseError(const json& doc) {
  auto parsed = replay::ParseScenario(doc.dump(), "s.json");
  return parsed.ok() ? "" : parsed.status().message();
}

replay::ScenarioResult RunScenarioJson(const json& doc, uint64_t seed = 1) {
  auto scenario = replay::ParseScenario(doc.dump(), "s.json");
  EXPECT_TRUE(scenario.ok()) << scenario.status().message();
  replay::ScenarioRunOptions options;
  options.seed = seed;
  auto result = replay::RunScenario(*scenario, options);
  EXPECT_TRUE(result.ok()) << result.status().message();
  return *result;
}

TEST(ScenarioFormat, UnknownKeyIsAnErrorWithItsJsonPath) {
  json doc = EcoScenario();
  doc["site"]["packs"][0]["colour"] = "red";
  EXPECT_EQ(ParseError(doc).rfind("s.json: $.site.packs[0].colour: unknown key", 0), 0u) << ParseError(doc);
}

TEST(ScenarioFormat, WrongTypeIsAnErrorWithItsJsonPathAndWhatWasFound) {
  json doc = EcoScenario();
  doc["site"]["packs"][0]["eco_limit_W"] = "3000";
  EXPECT_EQ(ParseError(doc),
            "s.json: $.site.packs[0].eco_limit_W: expected an integer 100..25000, found the string \"3000\"");
  doc = EcoScenario();
  doc["timeline"][0]["at"] = "soon";
  EXPECT_NE(ParseError(doc).find("$.timeline[0].at: expected a time like"), std::string::npos);
  doc = EcoScenario();
  doc["expect"][1]["relay"] = "kettle";
  EXPECT_NE(ParseError(doc).find("$.expect[1].relay: \"kettle\" is not one of: grid, inverter, pool, heater"),
            std::string::npos);
}

TEST(ScenarioFormat, MissingKeysAndUnknownPacksAreErrors) {
  json doc = EcoScenario();
  doc.erase("duration");
  EXPECT_EQ(ParseError(doc), "s.json: $: missing \"duration\"");
  doc = EcoScenario();
  doc["timeline"][0]["pack"] = "Z";
  EXPECT_EQ(ParseError(doc), "s.json: $.timeline[0].pack: no pack is named \"Z\"");
}

TEST(ScenarioFormat, NotJsonNamesTheByte) {
  auto parsed = replay::ParseScenario("{\"duration\": ", "s.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().rfind("s.json: not JSON at byte 14", 0), 0u) << parsed.status().message();
}

TEST(ScenarioFormat, ANumberBeyondDoubleRangeIsAnErrorNotAnAbort) {  // found by fuzz_scenario_json
  auto parsed = replay::ParseScenario("{\"duration\": 1e400}", "s.json");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("s.json: not usable JSON"), std::string::npos) << parsed.status().message();
}

TEST(ScenarioFormat, TimesTakeCompoundAndSignedUnits) {
  json doc = EcoScenario();
  doc["duration"] = "1h2m3s500ms";
  auto scenario = replay::ParseScenario(doc.dump(), "s.json");
  ASSERT_TRUE(scenario.ok());
  EXPECT_EQ(scenario->site.duration_ms, 3'723'500);
}

TEST(ScenarioRun, ExpectationsThatHoldPass) {
  const auto result = RunScenarioJson(EcoScenario());
  EXPECT_TRUE(result.passed());
  EXPECT_EQ(result.expectations, 2);
  EXPECT_GT(result.summary.modbus_exchanges, 0u);
  EXPECT_GT(result.summary.relay_changes, 0u);
}

TEST(ScenarioRun, AFailedExpectationSaysWhichWhenExpectedAndSeen) {
  json doc = EcoScenario();
  doc["expect"][1]["at"] = "20s500ms";  // before the next control cycle could shed
  const auto result = RunScenarioJson(doc);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(replay::FailureAsText(result.failures[0]),
            "$.expect[1] at 20s500ms: expected pack A relay heater open, seen closed");
}

TEST(ScenarioRun, NeverFailsAtTheFirstInstantItHolds) {
  json doc = EcoScenario();
  doc["expect"] = json::array({json::parse(R"({"from": "0s", "to": "90s", "never": {"pack": "A", "relay": "heater", "closed": false}})")});
  const auto result = RunScenarioJson(doc);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].expected, "never pack A relay heater open");
  EXPECT_GT(result.failures[0].at_ms, 20'000);
  EXPECT_LE(result.failures[0].at_ms, 22'000);
}

TEST(ScenarioRun, CheckExpectationPassesCleanAndFailsWithWhatCheckReported) {
  json doc = EcoScenario();
  doc["expect"].push_back({{"check", "clean"}});
  EXPECT_TRUE(RunScenarioJson(doc).passed());
  doc["expect"].back() = {{"check", {{"reports", {"grid-closed-in-lockout"}}}}};
  const auto result = RunScenarioJson(doc);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].expected, "check reports grid-closed-in-lockout");
  EXPECT_EQ(result.failures[0].seen, "clean");
}

TEST(ScenarioRun, RampsMoveTheBmsValueLinearly) {
  json doc = EcoScenario();
  doc["timeline"] = json::parse(R"([{"at": "10s", "pack": "A", "bms": {"voltage_mV": 46400}, "over": "40s"}])");
  // 56000 -> 46400 mV over 40 s: the reply 15 ms after the 30 s poll reads 51196 mV (29 %, truncated); 0 % at the end.
  doc["expect"] = json::parse(R"([{"at": "31s", "pack": "A", "soc_pct": 29}, {"at": "60s", "pack": "A", "soc_pct": 0}])");
  const auto result = RunScenarioJson(doc);
  EXPECT_TRUE(result.passed()) << (result.failures.empty() ? "" : replay::FailureAsText(result.failures[0]));
}

TEST(ScenarioRun, SameSeedSameCaptureOtherSeedOtherNoise) {
  testing::TempDir dir;
  json doc = EcoScenario();
  doc["site"]["packs"][0]["loads"]["noise_W"] = 200;
  testing::WriteFile(dir.File("s.json"), doc.dump());
  auto digest = [&](const std::string& name, const std::string& seed) {
    auto run = testing::Packtwin({"scenario", "run", dir.File("s.json"), "-o", dir.File(name), "--seed", seed});
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    return testing::Packtwin({"digest", dir.File(name)}).out.substr(0, 16);
  };
  EXPECT_EQ(digest("a.db", "7"), digest("b.db", "7"));
  EXPECT_NE(digest("a2.db", "7"), digest("c.db", "8"));
}

TEST(ScenarioRun, TheCaptureHasTheRecordersEventKinds) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("s.json"), EcoScenario().dump());
  auto run = testing::Packtwin({"scenario", "run", dir.File("s.json"), "-o", dir.File("s.db")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_FALSE(testing::ExportedEvents(dir.File("s.db"), "can_frame").empty());
  EXPECT_FALSE(testing::ExportedEvents(dir.File("s.db"), "modbus").empty());
  EXPECT_FALSE(testing::ExportedEvents(dir.File("s.db"), "relay_change").empty());
  EXPECT_FALSE(testing::ExportedEvents(dir.File("s.db"), "sensor_sample").empty());
  auto verify = testing::Packtwin({"verify", dir.File("s.db")});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST(ScenarioTest, RunsAFolderAndEndsWithPassedAndFailedCounts) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("good.json"), EcoScenario().dump());
  json bad = EcoScenario();
  bad["expect"][0]["closed"] = false;
  testing::WriteFile(dir.File("bad.json"), bad.dump());
  testing::WriteFile(dir.File("broken.json"), "{");
  auto run = testing::Packtwin({"scenario", "test", dir.path()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("PASS good"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("FAIL bad"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("broken.json: not JSON"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("1 passed, 2 failed\n"), std::string::npos) << run.out;
  auto only_good = testing::Packtwin({"scenario", "test", dir.path(), "--json"});
  EXPECT_EQ(json::parse(only_good.out)["passed"], 1);
}

}  // namespace
}  // namespace packtwin
