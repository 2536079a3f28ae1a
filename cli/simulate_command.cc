#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "packtwin/recorder/recorder.h"
#include "packtwin/replay/site_sim.h"
#include "progress_bar.h"

namespace packtwin::cli {

void AddSimulateCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string output;
    int packs = 3;
    std::string duration = "24h";
    uint64_t seed = 1;
    std::string site = "simulated";
    bool force = false;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "simulate", "Simulate a site (each pack the firmware reducer, BMS models, loads and solar) into a capture");
  cmd->add_option("-o,--output", options->output, "the capture to create")->required();
  cmd->add_option("--packs", options->packs, "number of Energy-Packs")->capture_default_str()->check(CLI::Range(1, 100));
  cmd->add_option("--duration", options->duration, "simulated time: 90s, 10m, 24h")->capture_default_str();
  cmd->add_option("--seed", options->seed, "the same seed gives the same capture")
      ->capture_default_str()
      ->check(SeedValidator());
  cmd->add_option("--site", options->site, "site name stored in the log")->capture_default_str();
  cmd->add_flag("--force", options->force, "replace OUT if it exists");
  cmd->add_flag("--json", options->json, "print the summary as JSON");
  cmd->callback([options, &exit_code] {
    replay::SimConfig config;
    config.packs = options->packs;
    config.seed = options->seed;
    config.output = options->output;
    config.site = options->site;
    config.tool_version = PACKTWIN_VERSION;
    config.force = options->force;
    auto duration = ParseDurationOption("simulate", options->duration, exit_code);
    if (!duration) return;
    config.duration_ms = *duration;
    ProgressBar bar("simulating", static_cast<uint64_t>(config.duration_ms), "of the simulated time");
    auto summary = replay::Simulate(config, [&bar](uint64_t done, uint64_t) { bar.Update(done); });
    bar.Finish();
    if (!summary.ok()) {
      exit_code = Fail(summary.status());
      return;
    }
    if (options->json) {
      fmt::print("{}\n", nlohmann::ordered_json{{"output", options->output},
                                                {"events", summary->events},
                                                {"frames", summary->frames},
                                                {"modbus_exchanges", summary->modbus_exchanges},
                                                {"relay_changes", summary->relay_changes}}
                             .dump(2));
      return;
    }
    fmt::print("simulated {} pack{} for {} into {}: {} events ({} CAN frames, {} BMS exchanges, {} relay changes)\n",
               options->packs, options->packs == 1 ? "" : "s", options->duration, options->output, summary->events,
               summary->frames, summary->modbus_exchanges, summary->relay_changes);
  });
}

}  // namespace packtwin::cli
