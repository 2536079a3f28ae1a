#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "node_table_view.h"
#include "packtwin/recorder/recorder.h"
#include "packtwin/recorder/source_factory.h"

namespace packtwin::cli {
namespace {

constexpr int64_t kRedrawEveryNs = 250'000'000;
constexpr size_t kMaxIdRows = 40;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// "can0", "slcan:DEV[@RATE]", "modbus-tap:DEV[@BAUD]", "modbus-tcp-proxy:LISTEN=TARGET", "mqtt:HOST:PORT[/FILTER]".
std::optional<std::string> AddSource(const std::string& text, recorder::SourceSpecs* specs) {
  const auto take = [&text](const char* prefix) { return text.substr(std::string(prefix).size()); };
  if (text.starts_with("modbus-tap:")) {
    specs->modbus_taps.push_back(take("modbus-tap:"));
  } else if (text.starts_with("modbus-tcp-proxy:")) {
    specs->tcp_proxies.push_back(take("modbus-tcp-proxy:"));
  } else if (text.starts_with("mqtt:")) {
    specs->mqtt.push_back(take("mqtt:"));
  } else if (text.starts_with("slcan:") || text.find(':') == std::string::npos) {
    specs->can.push_back(text);
  } else {
    return fmt::format("'{}': a source is can0, slcan:DEV[@RATE], modbus-tap:DEV[@BAUD], "
                       "modbus-tcp-proxy:LISTEN=TARGET or mqtt:HOST:PORT[/FILTER]", text);
  }
  return std::nullopt;
}

}  // namespace

void AddMonitorCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::vector<std::string> sources;
    std::string duration;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "monitor", "Show a live table of every node's latest state and every CAN id, refreshed in place (like can.viewer)");
  cmd->add_option("SOURCE", options->sources,
                  "can0, slcan:/dev/ttyACM0[@500000], modbus-tap:/dev/ttyUSB0[@9600], "
                  "modbus-tcp-proxy:LISTEN=TARGET, mqtt:HOST:PORT[/FILTER]; several at once")
      ->required();
  cmd->add_option("--duration", options->duration, "stop after this long: 90s, 10m (default: until Ctrl-C)");
  cmd->callback([options, &exit_code] {
    recorder::SourceSpecs specs;
    for (const auto& text : options->sources) {
      if (auto error = AddSource(text, &specs)) {
        fmt::print(stderr, "packtwin monitor: {}\n", *error);
        exit_code = kExitUsage;
        return;
      }
    }
    auto sources = recorder::MakeSources(specs);
    if (!sources.ok()) {
      Fail(sources.status());
      exit_code = kExitUsage;
      return;
    }
    // The sources run as `record` runs them, into a scratch log removed at the end.
    recorder::RecordOptions record;
    record.output = (std::filesystem::temp_directory_path() / fmt::format("packtwin-monitor-{}.db", ::getpid())).string();
    record.force = true;
    record.tool_version = PACKTWIN_VERSION;
    if (!options->duration.empty()) {
      auto ms = ParseDurationOption("monitor", options->duration, exit_code);
      if (!ms) return;
      record.duration_ms = *ms;
    }
    record.stop_fd = InstallStopPipe();
    const bool tty = ::isatty(STDOUT_FILENO) != 0;
    NodeTableView view;
    int64_t drawn_ns = 0;
    const auto draw = [&](bool force) {
      const int64_t now_ns = NowNs();
      if (!force && now_ns - drawn_ns < (tty ? kRedrawEveryNs : 1'000'000'000)) return;
      drawn_ns = now_ns;
      // On a terminal the table is redrawn in place; in a pipe, a new table each second.
      fmt::print("{}{}\n", tty ? "\033[H\033[2J" : "", view.Render(now_ns, kMaxIdRows));
      std::fflush(stdout);
    };
    record.on_event = [&](const v1::Event& event) {
      view.Update(event);
      draw(false);
    };
    auto summary = recorder::Record(
        record, std::move(*sources), [&](const recorder::RecordSummary&, int64_t, uint64_t) { draw(false); },
        [](const std::string& message) { fmt::print(stderr, "packtwin monitor: {}\n", message); });
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(record.output + suffix, ec);
    draw(true);
    if (!summary.ok()) {
      exit_code = Fail(summary.status());
      return;
    }
    if (summary->any_source_failed) exit_code = kExitFailed;
  });
}

}  // namespace packtwin::cli
