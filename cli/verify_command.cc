#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "packtwin/eventlog/verify.h"
#include "progress_bar.h"

namespace packtwin::cli {

void AddVerifyCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "verify", "Walk the hash chain: exit 0 when every event is intact, 2 with the first bad sequence number");
  cmd->add_option("DB", options->db, "event log")->required();
  cmd->add_flag("--json", options->json, "print the result as JSON");
  cmd->callback([options, &exit_code] {
    auto reader = OpenLog(options->db, exit_code);
    if (!reader) return;
    auto report =
        WithEventProgress(*reader, "verifying", [&](const ProgressFn& progress) { return eventlog::VerifyChain(*reader, progress); });
    if (!report.ok()) {
      exit_code = Fail(report.status());
      return;
    }
    exit_code = report->intact ? kExitOk : kExitDamaged;
    if (options->json) {
      nlohmann::ordered_json out;
      out["file"] = options->db;
      out["intact"] = report->intact;
      out["events_checked"] = report->events_checked;
      out["head"] = report->head_hex;
      out["ends_with_stop"] = report->ends_with_stop;
      if (!report->intact) {
        out["first_bad_seq"] = report->first_bad_seq.value_or(0);
        out["problem"] = report->problem;
        out["damaged"] = nlohmann::ordered_json::array();
        for (const auto& [first, last] : report->damaged) out["damaged"].push_back({{"first_seq", first}, {"last_seq", last}});
      }
      fmt::print("{}\n", out.dump(2));
    } else if (report->intact) {
      fmt::print("{}: intact: {} events, chain head {}\n", options->db, report->events_checked, report->head_hex);
      if (!report->ends_with_stop) {
        // Not damage: what a crash leaves reads the same as a copy cut after a commit.
        fmt::print("{}: not finished: no capture_stop at the end (its recorder crashed or is still writing, or the file "
                   "or its -wal was cut after seq {})\n",
                   options->db, report->events_checked);
      }
    } else {
      fmt::print("{}: BROKEN at seq {}: {}\n", options->db, report->first_bad_seq.value_or(0), report->problem);
    }
  });
}

}  // namespace packtwin::cli
