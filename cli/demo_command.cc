#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "commands.h"
#include "packtwin/recorder/recorder.h"
#include "packtwin/replay/demo.h"

namespace packtwin::cli {

void AddDemoCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string work_dir = "build/demo";
    int packs = 3;
    std::string duration = "24h";
    uint64_t seed = 1;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "demo", "Simulate a 3-pack site for a day, then show its fleet state, timeline summary and check result");
  cmd->add_option("--work-dir", options->work_dir, "where demo.db is written")->capture_default_str();
  cmd->add_option("--packs", options->packs, "number of packs")->capture_default_str()->check(CLI::Range(1, 100));
  cmd->add_option("--duration", options->duration, "simulated time")->capture_default_str();
  cmd->add_option("--seed", options->seed, "simulation seed")->capture_default_str()->check(SeedValidator());
  cmd->callback([options, &exit_code] {
    std::error_code ec;
    std::filesystem::create_directories(options->work_dir, ec);
    if (ec) {
      exit_code = Fail(fmt::format("{}: cannot create: {}", options->work_dir, ec.message()));
      return;
    }
    auto duration = ParseDurationOption("demo", options->duration, exit_code);
    if (!duration) return;
    replay::DemoRequest request{options->work_dir, PACKTWIN_VERSION, options->packs, *duration, options->seed};
    Status status = replay::RunDemo(request, std::cout);
    if (!status.ok()) exit_code = Fail(status);
  });
}

}  // namespace packtwin::cli
