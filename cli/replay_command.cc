#include <fmt/format.h>
#include <signal.h>

#include <csignal>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "packtwin/base/interrupt.h"
#include "packtwin/base/counted.h"
#include "packtwin/replay/mqtt_playback.h"
#include "packtwin/replay/playback.h"

namespace packtwin::cli {
namespace {

template <typename Options>
int ReplayMqtt(const Options& options) {
  if (!options.target.empty() || !options.maps.empty() || !options.ids.empty() || options.step || options.loops != 1) {
    Fail("--mqtt replays MQTT messages: it takes --direction, --topics, --speed, --from and --until, not --to, --map, "
         "--ids, --step or --loop");
    return kExitUsage;
  }
  replay::MqttPlaybackRequest request;
  request.db = options.db;
  const auto colon = options.mqtt.rfind(':');
  const std::string port = colon == std::string::npos ? "" : options.mqtt.substr(colon + 1);
  if (colon == std::string::npos || colon == 0 || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) == 0 || std::stoi(port) > 65535) {
    Fail(fmt::format("--mqtt '{}': expected HOST:PORT, e.g. 127.0.0.1:1883", options.mqtt));
    return kExitUsage;
  }
  request.host = options.mqtt.substr(0, colon);
  request.port = std::stoi(port);
  request.direction = options.direction == "in"    ? replay::MqttDirection::kIn
                      : options.direction == "out" ? replay::MqttDirection::kOut
                                                   : replay::MqttDirection::kAll;
  request.topics = options.topics;
  request.speed = options.speed;
  for (auto [flag, text, out] : {std::tuple{"--from", &options.from, &request.from}, std::tuple{"--until", &options.until, &request.until}}) {
    if (text->empty()) continue;
    auto parsed = ParseTimeSpec(*text);
    if (auto* error = std::get_if<ParseError>(&parsed)) {
      Fail(fmt::format("{} '{}': {}", flag, *text, error->Describe()));
      return kExitUsage;
    }
    *out = std::get<TimeSpec>(parsed);
  }
  InstallStopRequest();
  auto report = replay::PlayMqtt(request, [] { return StopRequested(); });
  if (!report.ok()) return Fail(report.status());
  if (options.json) {
    fmt::print("{}\n", nlohmann::ordered_json{{"messages", report->messages}, {"schedule_error_max_us", report->error_max_us},
                                               {"interrupted", report->interrupted}}
                           .dump(2));
  } else {
    fmt::print("published {} to {}; schedule error max {} us{}\n", Counted(report->messages, "message"), options.mqtt,
               report->error_max_us, report->interrupted ? " (interrupted)" : "");
  }
  return report->interrupted ? kExitInterrupted : kExitOk;
}


}  // namespace

void AddReplayCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db, target, from, until, ids;
    std::string mqtt, direction = "all", topics = "#";
    std::vector<std::string> maps;
    bool step = false;
    double speed = 1.0;
    int loops = 1;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "replay", "Play a log's CAN frames onto a bus (or its MQTT messages to a broker) at their recorded pace");
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
  cmd->add_option("--mqtt", options->mqtt, "publish the log's MQTT messages to this broker instead: HOST:PORT");
  cmd->add_option("--direction", options->direction,
                  "with --mqtt: in (the app's commands), out (the bridge's publications) or all (default)")
      ->check(CLI::IsMember({"in", "out", "all"}));
  cmd->add_option("--topics", options->topics, "with --mqtt: only topics matching this filter (default #)");
  cmd->add_flag("--json", options->json, "print the report as JSON");
  cmd->callback([options, &exit_code] {
    if (!options->mqtt.empty()) {
      exit_code = ReplayMqtt(*options);
      return;
    }
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
