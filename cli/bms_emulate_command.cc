// `packtwin bms-emulate DB --port /dev/X`: a recorded BMS back on an RS-485 line.
#include <fmt/format.h>
#include <signal.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "packtwin/replay/bms_emulator.h"

namespace packtwin::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

}  // namespace

void AddBmsEmulateCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db, port, from;
    uint32_t baud = 9600;
    int node = -1;
    double speed = 1.0;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "bms-emulate", "Answer Modbus RTU requests on a serial port with the BMS replies a log recorded at the matching time");
  cmd->add_option("DB", options->db, "event log with a Modbus tap's exchanges")->required();
  cmd->add_option("--port", options->port, "serial device the bench pack's RS-485 line is on")->required();
  cmd->add_option("--baud", options->baud, "bit rate")->capture_default_str();
  cmd->add_option("--node", options->node, "whose BMS (CAN node id, e.g. 0x2A) when the log has several taps")
      ->check(CLI::Range(1, 0x7E));
  cmd->add_option("--speed", options->speed, "2 runs the recording twice as fast")
      ->capture_default_str()
      ->check(SpeedValidator());
  cmd->add_option("--from", options->from, "where in the log to start: ISO 8601 or seconds from the start");
  cmd->add_flag("--json", options->json, "print the report as JSON");
  cmd->callback([options, &exit_code] {
    replay::BmsEmulateRequest request;
    request.db = options->db;
    request.port = options->port;
    request.baud = options->baud;
    request.speed = options->speed;
    if (options->node > 0) request.node = static_cast<uint8_t>(options->node);
    if (!options->from.empty()) {
      auto parsed = ParseTimeSpec(options->from);
      if (auto* error = std::get_if<ParseError>(&parsed)) {
        fmt::print(stderr, "packtwin bms-emulate: --from '{}': {}\n", options->from, error->Describe());
        exit_code = kExitUsage;
        return;
      }
      request.from = std::get<TimeSpec>(parsed);
    }
    ::signal(SIGINT, OnSignal);
    ::signal(SIGTERM, OnSignal);
    auto report = replay::EmulateBms(request, [] { return g_stop.load(); }, [&](const replay::BmsEmulateReport& r) {
      fmt::print(stderr, "answering as BMS 0x01 on {} with {} exchanges recorded by {}; the first request starts the clock (Ctrl-C stops)\n",
                 options->port, r.exchanges, r.tap);
    });
    if (!report.ok()) {
      exit_code = Fail(report.status());
      return;
    }
    if (options->json) {
      fmt::print("{}\n", nlohmann::ordered_json{{"tap", report->tap},
                                                {"exchanges", report->exchanges},
                                                {"requests", report->requests},
                                                {"answered", report->answered},
                                                {"silent", report->silent},
                                                {"unknown", report->unknown},
                                                {"ignored", report->ignored}}
                             .dump(2));
      return;
    }
    fmt::print("{} requests: {} answered as recorded, {} left silent (the recording timed out), {} unknown (exception 02), "
               "{} ignored (bad CRC or another address)\n",
               report->requests, report->answered, report->silent, report->unknown, report->ignored);
  });
}

}  // namespace packtwin::cli
