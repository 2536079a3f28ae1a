// packtwin bridge: the bridge reducer live between a CAN adapter and the
// site's MQTT broker, recording everything it receives and sends.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <variant>

#include "commands.h"
#include "packtwin/base/counted.h"
#include "packtwin/firmware/bridge_reducer.h"
#include "packtwin/recorder/bridge_runtime.h"

namespace packtwin::cli {
namespace {

// "1,3" -> the defect bits of bridge 1.0 to emulate (a test bench only).
std::optional<uint8_t> ParseDefects(const std::string& text, std::string* bad) {
  uint8_t bits = 0;
  size_t start = 0;
  // Bounded by the text: each pass takes one comma-separated number.
  while (start < text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.size() != 1 || item[0] < '1' || item[0] > '5') {
      *bad = item;
      return std::nullopt;
    }
    bits |= static_cast<uint8_t>(1u << (item[0] - '1'));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return bits;
}

}  // namespace

void AddBridgeCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string can;
    std::string mqtt = "127.0.0.1:1883";
    std::string output;
    std::string site;
    std::string duration;
    std::string defects;
    bool force = false;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("bridge", "Run the site's bridge (CAN <-> MQTT) live and record everything it hears and says");
  cmd->add_option("--can", options->can, "the CAN adapter: can0 (SocketCAN) or slcan:/dev/ttyACM0[@500000]")->required();
  cmd->add_option("--mqtt", options->mqtt, "the site's MQTT broker: HOST:PORT (default 127.0.0.1:1883)");
  cmd->add_option("-o,--output", options->output, "the event log to create")->required();
  cmd->add_option("--site", options->site, "site name stored in the log");
  cmd->add_option("--duration", options->duration, "stop after this long: 90s, 10m, 2h (default: until Ctrl-C)");
  cmd->add_option("--defects", options->defects,
                  "emulate bridge 1.0's known defects, e.g. 1,5 (bridge-mqtt.md; for a test bench, never a site)");
  cmd->add_flag("--force", options->force, "replace OUT if it exists");
  cmd->add_flag("--json", options->json, "print the summary as JSON");
  cmd->callback([options, &exit_code] {
    recorder::BridgeRunOptions run;
    run.output = options->output;
    run.site = options->site;
    run.tool_version = PACKTWIN_VERSION;
    run.force = options->force;
    auto can = bus::ParseCanBusSpec(options->can);
    if (const auto* error = std::get_if<ParseError>(&can)) {
      exit_code = kExitUsage;
      Fail(fmt::format("--can '{}': {}; e.g. can0 or slcan:/dev/ttyACM0", options->can, error->Describe()));
      return;
    }
    run.can = std::get<bus::CanBusSpec>(can);
    auto mqtt = recorder::ParseMqttSpec(options->mqtt);
    if (const auto* error = std::get_if<ParseError>(&mqtt)) {
      exit_code = kExitUsage;
      Fail(fmt::format("--mqtt '{}': {}; the form is HOST:PORT, e.g. 127.0.0.1:1883", options->mqtt, error->Describe()));
      return;
    }
    run.mqtt = std::get<recorder::MqttSpec>(mqtt);
    if (!options->defects.empty()) {
      std::string bad;
      auto bits = ParseDefects(options->defects, &bad);
      if (!bits) {
        exit_code = kExitUsage;
        Fail(fmt::format("--defects '{}': '{}' is not a defect number 1..5", options->defects, bad));
        return;
      }
      run.defects = *bits;
    }
    if (!options->duration.empty()) {
      auto ms = ParseDurationOption("bridge", options->duration, exit_code);
      if (!ms) return;
      run.duration_ms = *ms;
    }
    run.stop_fd = InstallStopPipe();
    auto summary = recorder::RunBridge(run, [](const std::string& warning) { fmt::print(stderr, "packtwin bridge: {}\n", warning); });
    if (!summary.ok()) {
      exit_code = Fail(summary.status());
      return;
    }
    if (options->json) {
      nlohmann::ordered_json out = {{"output", options->output}, {"events", summary->events}, {"can_in", summary->can_in},
                                    {"can_out", summary->can_out}, {"mqtt_in", summary->mqtt_in}, {"mqtt_out", summary->mqtt_out},
                                    {"commands", summary->commands}, {"invalid_commands", summary->invalid_commands},
                                    {"broker_gaps", summary->broker_gaps}, {"stop_reason", summary->stop_reason}};
      fmt::print("{}\n", out.dump(2));
      return;
    }
    fmt::print("bridged into {} ({}): {}\n", options->output, summary->stop_reason, Counted(summary->events, "event"));
    fmt::print("  CAN   {} in, {} out\n", summary->can_in, summary->can_out);
    fmt::print("  MQTT  {} in, {} out; {}, {} refused as invalid; {} broker gaps\n", summary->mqtt_in, summary->mqtt_out,
               Counted(summary->commands, "command"), summary->invalid_commands, summary->broker_gaps);
  });
}

}  // namespace packtwin::cli
