// `packtwin scenario run FILE` and `packtwin scenario test DIR`.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "packtwin/base/counted.h"
#include "packtwin/replay/scenario.h"
#include "packtwin/replay/scenario_run.h"

namespace packtwin::cli {
namespace {

void PrintResult(const replay::ScenarioResult& r, const std::string& file) {
  fmt::print("{} {}: {}, {} ({}, {}, {}){}\n", r.passed() ? "PASS" : "FAIL", r.name,
             Counted(r.expectations, "expectation"), Counted(r.summary.events, "event"),
             Counted(r.summary.frames, "CAN frame"), Counted(r.summary.modbus_exchanges, "BMS exchange"),
             Counted(r.summary.relay_changes, "relay change"), r.capture.empty() ? "" : " -> " + r.capture);
  for (const auto& f : r.failures) fmt::print("  {}: {}\n", file, replay::FailureAsText(f));
}

std::vector<std::string> ScenarioFiles(const std::string& dir, std::string* error) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  if (ec) *error = fmt::format("{}: cannot list the scenarios: {}", dir, ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

void AddRun(CLI::App& parent, int& exit_code) {
  struct Options {
    std::string file;
    std::string output;
    std::optional<uint64_t> seed;
    bool force = false;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = parent.add_subcommand("run", "Run one scenario, record it as a capture and judge its expectations");
  cmd->add_option("FILE", options->file, "the scenario (JSON, see scenarios/README.md)")->required();
  cmd->add_option("-o,--output", options->output, "keep the capture here (default: a temporary file, removed)");
  cmd->add_option("--seed", options->seed, "overrides the scenario's seed (load noise)")->check(SeedValidator());
  cmd->add_flag("--force", options->force, "replace OUT if it exists");
  cmd->add_flag("--json", options->json, "print the result as JSON");
  cmd->callback([options, &exit_code] {
    auto scenario = replay::LoadScenario(options->file);
    if (!scenario.ok()) {
      exit_code = Fail(scenario.status());
      return;
    }
    replay::ScenarioRunOptions run;
    run.output = options->output;
    run.force = options->force;
    run.inputs = {options->file};
    run.seed = options->seed;
    run.tool_version = PACKTWIN_VERSION;
    auto result = replay::RunScenario(*scenario, run);
    if (!result.ok()) {
      exit_code = Fail(fmt::format("{}: {}", options->file, result.status().message()));
      return;
    }
    if (options->json) {
      fmt::print("{}\n", replay::ResultAsJson(*result).dump(2));
    } else {
      PrintResult(*result, options->file);
    }
    if (!result->passed()) exit_code = kExitFailed;
  });
}

void AddTest(CLI::App& parent, int& exit_code) {
  struct Options {
    std::string dir;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = parent.add_subcommand("test", "Run every scenario (*.json) in a folder; ends with N passed, N failed");
  cmd->add_option("DIR", options->dir, "a folder of scenarios")->required();
  cmd->add_flag("--json", options->json, "print the results as JSON");
  cmd->callback([options, &exit_code] {
    std::string error;
    const auto files = ScenarioFiles(options->dir, &error);
    if (!error.empty()) {
      exit_code = Fail(error);
      return;
    }
    if (files.empty()) {
      exit_code = Fail(fmt::format("{}: no scenarios (*.json) here", options->dir));
      return;
    }
    int passed = 0;
    int failed = 0;
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const auto& file : files) {
      auto scenario = replay::LoadScenario(file);
      replay::ScenarioRunOptions run;
      run.tool_version = PACKTWIN_VERSION;
      auto result = scenario.ok() ? replay::RunScenario(*scenario, run) : Result<replay::ScenarioResult>(scenario.status());
      if (!result.ok()) {
        ++failed;
        if (options->json) {
          all.push_back({{"file", file}, {"passed", false}, {"error", result.status().message()}});
        } else {
          fmt::print("FAIL {}: {}\n", file, result.status().message());
        }
        continue;
      }
      result->passed() ? ++passed : ++failed;
      if (options->json) {
        auto json = replay::ResultAsJson(*result);
        json["file"] = file;
        all.push_back(json);
      } else {
        PrintResult(*result, file);
        std::fflush(stdout);
      }
    }
    if (options->json) {
      fmt::print("{}\n", nlohmann::ordered_json{{"passed", passed}, {"failed", failed}, {"scenarios", all}}.dump(2));
    } else {
      fmt::print("{} passed, {} failed\n", passed, failed);
    }
    if (failed > 0) exit_code = kExitFailed;
  });
}

}  // namespace

void AddScenarioCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("scenario", "Run scenarios: a site, stimuli and expectations (scenarios/README.md)");
  cmd->require_subcommand(1);
  AddRun(*cmd, exit_code);
  AddTest(*cmd, exit_code);
}

}  // namespace packtwin::cli
