#include <fmt/format.h>

#include <unistd.h>

#include <iostream>

#include "commands.h"
#include "packtwin/eventlog/exporter.h"
#include "packtwin/firmware/can_v1_signals.h"
#include "packtwin/twin/frame_names.h"
#include "packtwin/twin/frame_signals.h"
#include "progress_bar.h"

namespace packtwin::cli {
namespace {

template <typename T>
std::optional<std::string> ParseInto(const std::string& flag, const std::string& text,
                                     std::variant<T, ParseError> parsed, std::optional<T>* out) {
  if (auto* error = std::get_if<ParseError>(&parsed)) {
    return fmt::format("{} '{}': {}", flag, text, error->Describe());
  }
  *out = std::get<T>(std::move(parsed));
  return std::nullopt;
}

// "TEL_BATT,RELAY_EVT": names of protocol v1 frames, as the firmware's table spells them.
std::optional<std::string> ParseFrameNames(const std::string& text, std::set<std::string>* out) {
  std::string known;
  for (size_t i = 0; i < firmware::CanV1FrameCount(); ++i) known += (i ? ", " : "") + std::string(firmware::CanV1Frames()[i].name);
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string name = text.substr(start, comma - start);
    bool found = false;
    for (size_t i = 0; i < firmware::CanV1FrameCount(); ++i) found = found || name == firmware::CanV1Frames()[i].name;
    if (!found) return fmt::format("--frames '{}': no frame named '{}'; protocol v1 has {}", text, name, known);
    out->insert(name);
    start = comma + 1;
  }
  return std::nullopt;
}

// The CSV's columns: every signal of the packs' telemetry (TEL_BATT, TEL_POWER,
// TEL_LOADS), in the firmware table's order.
std::vector<std::string> CsvColumns() {
  std::vector<std::string> names;
  for (auto function : {firmware::CanFunction::kTelBatt, firmware::CanFunction::kTelPower, firmware::CanFunction::kTelLoads}) {
    const firmware::FrameSpec* spec = firmware::CanV1FrameSpec(function);
    for (uint8_t i = 0; spec != nullptr && i < spec->signal_count; ++i) names.emplace_back(spec->signals[i].name);
  }
  return names;
}

}  // namespace

void AddExportCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db;
    std::string format;
    std::string output;
    std::string from;
    std::string to;
    std::string ids;
    std::string frames;
    std::vector<std::string> iface_names;
    std::string every;
    uint64_t around = 0;
    uint64_t context = 10;
    int digits = 0;
    bool force = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("export", "Write a log's events as candump, Vector ASC, JSON lines, pcapng (Wireshark) or CSV (the packs' telemetry)");
  cmd->add_option("DB", options->db, "event log")->required();
  cmd->add_option("--format", options->format, "candump | asc | jsonl | pcapng | csv")
      ->required()
      ->check(CLI::IsMember({"candump", "asc", "jsonl", "pcapng", "csv"}));
  cmd->add_option("-o,--output", options->output, "file to write (default: standard output)");
  cmd->add_option("--from", options->from,
                  "first time, inclusive: ISO 8601 (2026-11-21T05:00:00Z, +01:00, or local) or seconds from the start");
  cmd->add_option("--to", options->to, "end time, exclusive, in the same forms");
  cmd->add_option("--ids", options->ids, "only CAN frames with these ids, e.g. 0x180-0x1FF,0x700-0x77F");
  cmd->add_option("--frames", options->frames,
                  "only CAN frames of these protocol v1 names, e.g. TEL_BATT,RELAY_EVT (with --ids: frames either picks)");
  cmd->add_option("--around", options->around, "only the events around this sequence number (a finding's evidence)")
      ->check(CLI::Range(uint64_t{1}, UINT64_MAX));
  cmd->add_option("--context", options->context, "with --around: how many events before and after it (default 10)");
  cmd->add_option("--every", options->every,
                  "with --format csv: a row per node this often (2s, 1m) instead of one at every change");
  cmd->add_option("--iface-name", options->iface_names,
                  "the CAN interface name candump, ASC and pcapng write: NAME for every channel, or CHANNEL=NAME "
                  "(default: the channel's own when valid, else one made from it, e.g. slcan0)");
  cmd->add_option("--timestamp-digits", options->digits, "candump decimals, 6 or 9 (default: as imported)")
      ->check(CLI::IsMember({6, 9}));
  cmd->add_flag("--force", options->force, "replace the output file if it exists");
  cmd->callback([options, &exit_code] {
    eventlog::ExportRequest request;
    request.db = options->db;
    request.skip_located_damage = true;  // named on stderr afterwards, exit 2
    request.format = options->format == "asc"     ? eventlog::ExportFormat::kAsc
                     : options->format == "jsonl"  ? eventlog::ExportFormat::kJsonl
                     : options->format == "pcapng" ? eventlog::ExportFormat::kPcapng
                     : options->format == "csv"    ? eventlog::ExportFormat::kCsv
                                                   : eventlog::ExportFormat::kCandump;
    request.tool_version = PACKTWIN_VERSION;
    request.describe = twin::DescribeFrame;
    request.timestamp_digits = options->digits;
    std::optional<std::string> error;
    if (!options->from.empty()) error = ParseInto("--from", options->from, ParseTimeSpec(options->from), &request.from);
    if (!error && !options->to.empty()) error = ParseInto("--to", options->to, ParseTimeSpec(options->to), &request.to);
    if (!error && !options->ids.empty()) error = ParseInto("--ids", options->ids, eventlog::IdRanges::Parse(options->ids), &request.ids);
    if (!error && !options->frames.empty()) error = ParseFrameNames(options->frames, &request.frames);
    request.frame_name = twin::AlfasparkFrameName;
    if (request.format == eventlog::ExportFormat::kCsv) request.csv_columns = CsvColumns();
    if (!options->every.empty()) {
      if (request.format != eventlog::ExportFormat::kCsv) {
        error = "--every is for --format csv";
      } else if (auto every_ms = ParseDurationOption("export", options->every, exit_code)) {
        request.every_ns = *every_ms * 1'000'000;
      } else {
        return;
      }
    }
    if (options->around != 0) {
      if (!options->from.empty() || !options->to.empty()) error = "--around picks events by sequence number: not with --from or --to";
      request.around_seq = options->around;
      request.context = options->context;
    }
    if (!error) {
      auto names = eventlog::InterfaceNames::Parse(options->iface_names);
      if (auto* message = std::get_if<std::string>(&names)) {
        error = "--iface-name " + *message;
      } else {
        request.interfaces = std::get<eventlog::InterfaceNames>(std::move(names));
      }
    }
    if (!error && request.format == eventlog::ExportFormat::kPcapng && options->output.empty() && ::isatty(STDOUT_FILENO)) {
      error = "pcapng is binary and standard output is a terminal: give -o FILE.pcapng, or pipe it (| wireshark -k -i -)";
    }
    if (error) {
      fmt::print(stderr, "packtwin export: {}\n", *error);
      exit_code = kExitUsage;
      return;
    }
    ProgressBar bar("exporting", 0, "events");
    auto progress = [&bar](uint64_t done, uint64_t) { bar.Update(done); };
    auto summary = options->output.empty() ? eventlog::ExportEvents(request, std::cout, progress)
                                           : eventlog::ExportEventsToFile(request, options->output, options->force, progress);
    bar.Finish();
    if (!summary.ok()) {
      exit_code = Fail(summary.status());
      return;
    }
    if (!options->output.empty()) {
      fmt::print(stderr, "wrote {} events to {}", summary->written, options->output);
      if (summary->skipped > 0) {
        fmt::print(stderr, " ({} event{} not shown: {} has no form for {}; use --format jsonl)", summary->skipped,
                   summary->skipped == 1 ? "" : "s", options->format, summary->skipped == 1 ? "it" : "them");
      }
      fmt::print(stderr, "\n");
    }
    WarnSkippedDamaged(options->db, summary->skipped_damaged, exit_code);
  });
}

}  // namespace packtwin::cli
