#include <fmt/format.h>
#include <signal.h>

#include <csignal>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "packtwin/base/interrupt.h"
#include "packtwin/base/counted.h"
#include "packtwin/replay/playback.h"

namespace packtwin::cli {
namespace {


}  // namespace

void AddReplayCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db, target, from, until, ids;
    std::vector<std::string> maps;
    bool step = false;
    double speed = 1.0;
    int loops = 1;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "replay", "Play a log's CAN frames onto a bus at their recorded pace and report the schedule error");
  cmd->add_option("DB", options->db, "event log")->required();
  cmd->add_option("--to", options->target, "the bus: can0 (SocketCAN) or slcan:/dev/ttyACM0[@500000]");
  cmd->add_option("--map", options->maps,
                  "SRC=DST: frames recorded on interface SRC go to bus DST (repeatable; like canplayer, only mapped "
                  "interfaces play unless --to is given too)")
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();  // one SRC=DST per --map, so a DB after it stays the DB
  cmd->add_flag("--step", options->step, "show each frame and wait for Enter (N: send N, q: quit); timing is ignored");
  cmd->add_option("--speed", options->speed, "2 plays twice as fast")->capture_default_str()->check(SpeedValidator());
  cmd->add_option("--from", options->from, "first time, inclusive: ISO 8601 or seconds from the start");
  cmd->add_option("--until", options->until, "end time, exclusive, in the same forms");
  cmd->add_option("--ids", options->ids, "only these CAN ids, e.g. 0x180-0x1FF");
  cmd->add_option("--loop", options->loops, "play it this many times")->capture_default_str()->check(CLI::Range(1, 1000000));
  cmd->add_flag("--json", options->json, "print the report as JSON");
  cmd->callback([options, &exit_code] {
    replay::PlaybackRequest request;
    request.db = options->db;
    request.target = options->target;
    request.speed = options->speed;
    request.loops = options->loops;
    request.step = options->step;
    request.step_in = stdin;
    request.step_out = stderr;
    if (options->target.empty() && options->maps.empty()) {
      fmt::print(stderr, "packtwin replay: give a bus with --to, or --map SRC=DST\n");
      exit_code = kExitUsage;
      return;
    }
    for (const auto& text : options->maps) {
      auto map = replay::ParseInterfaceMap(text);
      if (!map.ok()) {
        fmt::print(stderr, "packtwin replay: {}\n", map.status().message());
        exit_code = kExitUsage;
        return;
      }
      request.maps.push_back(*map);
    }
    for (auto [flag, text, out] : {std::tuple{"--from", &options->from, &request.from},
                                   std::tuple{"--until", &options->until, &request.until}}) {
      if (text->empty()) continue;
      auto parsed = ParseTimeSpec(*text);
      if (auto* error = std::get_if<ParseError>(&parsed)) {
        fmt::print(stderr, "packtwin replay: {} '{}': {}\n", flag, *text, error->Describe());
        exit_code = kExitUsage;
        return;
      }
      *out = std::get<TimeSpec>(parsed);
    }
    if (!options->ids.empty()) {
      auto parsed = eventlog::IdRanges::Parse(options->ids);
      if (auto* error = std::get_if<ParseError>(&parsed)) {
        fmt::print(stderr, "packtwin replay: --ids '{}': {}\n", options->ids, error->Describe());
        exit_code = kExitUsage;
        return;
      }
      request.ids = std::get<eventlog::IdRanges>(parsed);
    }
    // Ctrl-C stops the playback between frames: the report says what was sent
    // and the bus is closed as found.
    InstallStopRequest();
    auto report = replay::Play(request, [] { return StopRequested(); });
    if (!report.ok()) {
      exit_code = Fail(report.status());
      return;
    }
    if (options->json) {
      fmt::print("{}\n", nlohmann::ordered_json{{"frames", report->frames},
                                                {"schedule_error_p50_us", report->error_p50_us},
                                                {"schedule_error_p99_us", report->error_p99_us},
                                                {"schedule_error_max_us", report->error_max_us}}
                             .dump(2));
      return;
    }
    std::string targets = options->target;
    for (const auto& map : options->maps) targets += fmt::format("{}{}", targets.empty() ? "" : ", ", map);
    if (report->interrupted) {
      fmt::print(stderr, "packtwin replay: interrupted: sent {} onto {}; the adapter's channel was closed\n",
                 Counted(report->frames, "frame"), targets);
      exit_code = kExitInterrupted;
      return;
    }
    if (options->step) {
      fmt::print("sent {} frames onto {} step by step\n", report->frames, targets);
      return;
    }
    fmt::print("played {} frames onto {}; schedule error p50 {} us, p99 {} us, max {} us\n", report->frames,
               targets, report->error_p50_us, report->error_p99_us, report->error_max_us);
  });
}

}  // namespace packtwin::cli
