#include <fmt/format.h>

#include <unistd.h>

#include <iostream>

#include "commands.h"
#include "packtwin/eventlog/exporter.h"
#include "packtwin/twin/frame_names.h"
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

}  // namespace

void AddExportCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db;
    std::string format;
    std::string output;
    std::string from;
    std::string to;
    std::string ids;
    int digits = 0;
    bool force = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("export", "Write a log's events as candump, Vector ASC, JSON lines or pcapng (Wireshark)");
  cmd->add_option("DB", options->db, "event log")->required();
  cmd->add_option("--format", options->format, "candump | asc | jsonl | pcapng")
      ->required()
      ->check(CLI::IsMember({"candump", "asc", "jsonl", "pcapng"}));
  cmd->add_option("-o,--output", options->output, "file to write (default: standard output)");
  cmd->add_option("--from", options->from,
                  "first time, inclusive: ISO 8601 (2026-11-21T05:00:00Z, +01:00, or local) or seconds from the start");
  cmd->add_option("--to", options->to, "end time, exclusive, in the same forms");
  cmd->add_option("--ids", options->ids, "only CAN frames with these ids, e.g. 0x180-0x1FF,0x700-0x77F");
  cmd->add_option("--timestamp-digits", options->digits, "candump decimals, 6 or 9 (default: as imported)")
      ->check(CLI::IsMember({6, 9}));
  cmd->add_flag("--force", options->force, "replace the output file if it exists");
  cmd->callback([options, &exit_code] {
    eventlog::ExportRequest request;
    request.db = options->db;
    request.format = options->format == "asc"     ? eventlog::ExportFormat::kAsc
                     : options->format == "jsonl"  ? eventlog::ExportFormat::kJsonl
                     : options->format == "pcapng" ? eventlog::ExportFormat::kPcapng
                                                   : eventlog::ExportFormat::kCandump;
    request.tool_version = PACKTWIN_VERSION;
    request.namer = twin::AlfasparkFrameName;
    request.timestamp_digits = options->digits;
    std::optional<std::string> error;
    if (!options->from.empty()) error = ParseInto("--from", options->from, ParseTimeSpec(options->from), &request.from);
    if (!error && !options->to.empty()) error = ParseInto("--to", options->to, ParseTimeSpec(options->to), &request.to);
    if (!error && !options->ids.empty()) error = ParseInto("--ids", options->ids, eventlog::IdRanges::Parse(options->ids), &request.ids);
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
  });
}

}  // namespace packtwin::cli
