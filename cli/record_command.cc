#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "live_print.h"
#include "packtwin/base/counted.h"
#include "packtwin/fleet/ship.h"
#include "packtwin/recorder/recorder.h"
#include "packtwin/recorder/source_factory.h"

namespace packtwin::cli {
namespace {

std::string Bytes(uint64_t bytes) {
  if (bytes >= 10ull << 20) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= 10ull << 10) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} B", bytes);
}

// "recording site.db 00:01:23  can0 1234 ev/s  slcan:/dev/x 0 ev/s FAILED  lost 0  gaps 0  1.2 MiB"
class StatusLine {
 public:
  explicit StatusLine(bool enabled) : enabled_(enabled), tty_(isatty(STDERR_FILENO) == 1) {}
  void Show(const recorder::RecordSummary& running, int64_t elapsed_ms, uint64_t file_bytes, const std::string& out) {
    if (!enabled_) return;
    std::string line = fmt::format("recording {} {:02}:{:02}:{:02}", out, elapsed_ms / 3'600'000,
                                   elapsed_ms / 60'000 % 60, elapsed_ms / 1000 % 60);
    uint64_t lost = 0;
    uint64_t gaps = 0;
    for (const auto& source : running.sources) {
      const uint64_t before = last_events_[source.name];
      line += fmt::format("  {} {} ev/s{}", source.name, source.stats.events - before,
                          source.failure.empty() ? "" : " FAILED");
      last_events_[source.name] = source.stats.events;
      lost += source.stats.frames_lost;
      gaps += source.stats.gaps;
    }
    line += fmt::format("  lost {}  gaps {}  {}", lost, gaps, Bytes(file_bytes));
    // On a terminal the line is redrawn in place; in a log, one line every 10 s.
    if (tty_) {
      fmt::print(stderr, "\r\033[K{}", line);
    } else if (elapsed_ms / 1000 % 10 == 0) {
      fmt::print(stderr, "{}\n", line);
    }
    drawn_ = tty_;
  }
  void Clear() {
    if (drawn_) fmt::print(stderr, "\r\033[K");
    drawn_ = false;
  }

 private:
  bool enabled_;
  bool tty_;
  bool drawn_ = false;
  std::map<std::string, uint64_t> last_events_;
};

}  // namespace

void AddRecordCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string output;
    std::string site;
    recorder::SourceSpecs specs;
    std::string duration;
    uint64_t max_events = 0;
    std::string ship;
    bool ship_leaf = false;
    std::string ship_key;
    bool quiet = false;
    bool print = false;
    bool force = false;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("record", "Capture live CAN buses and Modbus traffic into a new event log");
  cmd->add_option("-o,--output", options->output, "the event log to create")->required();
  cmd->add_option("--site", options->site, "site name stored in the log");
  cmd->add_option("--can", options->specs.can, "a CAN source: can0 (SocketCAN) or slcan:/dev/ttyACM0[@500000]; repeatable")
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();
  cmd->add_option("--modbus-tap", options->specs.modbus_taps,
                  "listen-only RS-485 tap: DEV[@BAUD][,timeout=DURATION], e.g. /dev/ttyUSB0@9600,timeout=1s "
                  "(baud 9600, timeout 1s by default: a reply later than that is recorded as late); repeatable")
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();
  cmd->add_option("--modbus-tcp-proxy", options->specs.tcp_proxies,
                  "record Modbus TCP through a proxy: LISTEN=TARGET[,timeout=DURATION], e.g. "
                  "127.0.0.1:1502=127.0.0.1:502,timeout=5s (a request unanswered that long is a timeout; "
                  "default 5s); repeatable")
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();
  cmd->add_option("--mqtt", options->specs.mqtt,
                  "record an MQTT broker's traffic passively: HOST:PORT[/FILTER] (default filter alfaspark/#), e.g. "
                  "127.0.0.1:1883; repeatable")
      ->expected(1)
      ->allow_extra_args(false)
      ->take_all();
  cmd->add_option("--duration", options->duration, "stop after this long: 90s, 10m, 2h (default: until Ctrl-C)");
  cmd->add_option("--max-events", options->max_events, "stop after this many events");
  cmd->add_option("--ship", options->ship,
                  "also ship the log's blocks to NATS JetStream as they commit: nats://HOST:PORT[,HOST:PORT...] "
                  "(as packtwin ship --follow; credentials in the URL: nats://USER:PASSWORD@HOST:PORT)");
  cmd->add_option("--ship-key", options->ship_key, "sign every shipped block with this site key (as packtwin ship --key)");
  cmd->add_flag("--ship-leaf", options->ship_leaf, "--ship goes to the bridge's leaf node (as packtwin ship --leaf)");
  cmd->add_flag("--quiet", options->quiet, "no live status line");
  cmd->add_flag("--print", options->print,
                "write each event to standard output as it is recorded: CAN frames candump-style with their frame "
                "name and decoded signals, Modbus exchanges, MQTT messages (the status line stays on stderr)");
  cmd->add_flag("--force", options->force, "replace OUT if it exists");
  cmd->add_flag("--json", options->json, "print the summary as JSON");
  cmd->callback([options, &exit_code] {
    recorder::RecordOptions record;
    record.output = options->output;
    record.site = options->site;
    record.tool_version = PACKTWIN_VERSION;
    record.force = options->force;
    record.max_events = options->max_events;
    StatusLine line(!options->quiet);
    if (options->print) {
      record.on_event = [&line, printer = std::make_shared<LivePrinter>()](const v1::Event& event) {
        const std::string text = printer->Line(event);
        if (text.empty()) return;
        line.Clear();  // on a terminal the status line is redrawn below the frames
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);  // a pipe sees each frame as it comes
      };
    }
    if (!options->duration.empty()) {
      auto ms = ParseDurationOption("record", options->duration, exit_code);
      if (!ms) return;
      record.duration_ms = *ms;
    }
    auto sources = recorder::MakeSources(options->specs);
    if (!sources.ok()) {
      // A source spec that does not parse is a command line that does not parse.
      Fail(sources.status());
      exit_code = kExitUsage;
      return;
    }
    std::optional<fleet::NatsSpec> ship_to;
    if (!options->ship.empty()) {
      auto spec = fleet::ParseNatsUrl(options->ship);
      if (!spec.ok()) {
        Fail(spec.status().message());
        exit_code = kExitUsage;
        return;
      }
      ship_to = *spec;
    }
    record.stop_fd = InstallStopPipe();
    // Shipping runs beside recording and ends once the closed log is shipped.
    std::atomic<bool> recording_done{false};
    Result<fleet::ShipSummary> shipped = Status::Failed("not shipped");
    std::thread shipper;
    if (ship_to) {
      shipper = std::thread([&] {
        fleet::ShipRequest request;
        request.db = options->output;
        request.nats = *ship_to;
        request.site = options->site;
        request.follow = true;
        request.leaf = options->ship_leaf;
        request.key_file = options->ship_key;
        request.writer_done = [&recording_done] { return recording_done.load(); };
        shipped = fleet::Ship(request, {});
      });
    }
    auto summary = recorder::Record(
        record, std::move(*sources),
        [&](const recorder::RecordSummary& running, int64_t elapsed_ms, uint64_t file_bytes) {
          line.Show(running, elapsed_ms, file_bytes, options->output);
        },
        [&](const std::string& message) {
          line.Clear();
          fmt::print(stderr, "packtwin record: {}\n", message);
        });
    line.Clear();
    recording_done = true;
    if (shipper.joinable()) {
      shipper.join();
      if (!shipped.ok()) {
        fmt::print(stderr, "packtwin record: shipping stopped: {}; the log is complete: run packtwin ship {} to go on\n",
                   shipped.status().message(), options->output);
      } else if (!options->json) {
        fmt::print(stderr, "shipped {} and {} as site {} (capture {})\n", Counted(shipped->blocks, "block"),
                   Counted(shipped->events, "event"), shipped->site, shipped->capture_id);
      }
    }
    if (!summary.ok()) {
      std::error_code ec;
      const bool created = std::filesystem::exists(options->output, ec);
      exit_code = Fail(summary.status().message() +
                       (created ? "\nevents committed before the error are in " + options->output : ""));
      return;
    }
    if (options->json) {
      nlohmann::ordered_json out;
      out["output"] = options->output;
      out["events"] = summary->events;
      out["stop_reason"] = summary->stop_reason;
      for (const auto& source : summary->sources) {
        out["sources"].push_back({{"name", source.name}, {"events", source.stats.events},
                                  {"frames_lost", source.stats.frames_lost}, {"gaps", source.stats.gaps},
                                  {"malformed", source.stats.malformed}, {"unpaired", source.stats.unpaired},
                                  {"failure", source.failure}});
      }
      fmt::print("{}\n", out.dump(2));
    } else {
      fmt::print("recorded {} events into {} ({})\n", summary->events, options->output, summary->stop_reason);
      for (const auto& source : summary->sources) {
        fmt::print("  {:<24} {} events, {} lost, {} gaps, {} malformed, {} unpaired{}\n", source.name,
                   source.stats.events, source.stats.frames_lost, source.stats.gaps, source.stats.malformed,
                   source.stats.unpaired,
                   source.failure.empty() ? "" : "  FAILED: " + source.failure);
      }
    }
    if (summary->any_source_failed || (ship_to && !shipped.ok())) exit_code = kExitFailed;
  });
}

}  // namespace packtwin::cli
