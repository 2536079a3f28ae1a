#include <fmt/format.h>

#include "commands.h"
#include "packtwin/eventlog/store_info.h"
#include "progress_bar.h"

namespace packtwin::cli {

void AddInfoCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db, tz = "site";
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "info", "Events by kind and source, time span, sources, schema version and hash-chain status of a log");
  cmd->add_option("DB", options->db, "event log")->required();
  cmd->add_option("--tz", options->tz, kTzHelp)->check(CLI::IsMember({"site", "utc", "local"}))->capture_default_str();
  cmd->add_flag("--json", options->json, "print as JSON");
  cmd->callback([options, &exit_code] {
    auto reader = OpenLog(options->db, exit_code);
    if (!reader || !ApplyDisplayZone(options->tz, *reader, exit_code)) return;
    auto info = WithEventProgress(*reader, "checking the hash chain",
                                  [&](const ProgressFn& progress) { return eventlog::CollectInfo(*reader, progress); });
    if (!info.ok()) {
      exit_code = Fail(info.status());
      return;
    }
    if (options->json) {
      fmt::print("{}\n", eventlog::InfoAsJson(*info).dump(2));
    } else {
      fmt::print("{}", eventlog::InfoAsText(*info));
    }
    if (!info->chain.intact) exit_code = kExitDamaged;  // as verify: the log is not what was recorded
  });
}

}  // namespace packtwin::cli
