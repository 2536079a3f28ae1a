#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "commands.h"
#include "packtwin/replay/demo.h"

namespace packtwin::cli {

void AddDemoCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string capture = PACKTWIN_SOURCE_DIR "/scenarios/captures/alfaspark-3pack.log";
    std::string work_dir = "build/demo";
    int frames = 12;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("demo", "Import the shipped sample capture and show what packtwin makes of it");
  cmd->add_option("--capture", options->capture, "capture to import")->capture_default_str()->check(CLI::ExistingFile);
  cmd->add_option("--work-dir", options->work_dir, "where demo.db is written")->capture_default_str();
  cmd->add_option("--frames", options->frames, "how many frames to print")->capture_default_str()->check(CLI::Range(0, 10000));
  cmd->callback([options, &exit_code] {
    std::error_code ec;
    std::filesystem::create_directories(options->work_dir, ec);
    if (ec) {
      exit_code = Fail(fmt::format("{}: cannot create: {}", options->work_dir, ec.message()));
      return;
    }
    replay::DemoRequest request{options->capture, options->work_dir, PACKTWIN_VERSION, options->frames};
    Status status = replay::RunDemo(request, std::cout);
    if (!status.ok()) exit_code = Fail(status.message());
  });
}

}  // namespace packtwin::cli
