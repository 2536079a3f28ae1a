#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "packtwin/base/counted.h"
#include "packtwin/eventlog/importer.h"
#include "progress_bar.h"

namespace packtwin::cli {

void AddImportCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::vector<std::string> inputs;
    std::string output;
    std::string site;
    std::string format = "auto";
    bool force = false;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("import", "Import CAN logs (candump log or screen output, Vector ASC or BLF, PEAK TRC, python-can SQLite) into a new event log");
  cmd->add_option("FILE", options->inputs, "CAN log files; several are merged by timestamp")
      ->required();
  cmd->add_option("-o,--output", options->output, "the event log to create (SQLite)")->required();
  cmd->add_option("--site", options->site, "site name stored in the log");
  cmd->add_option("--format", options->format,
                  std::string("input format: auto (detected from the file's first bytes or lines) or ") +
                      eventlog::InputFormatNames())
      ->check([](const std::string& text) -> std::string {
        if (eventlog::InputFormatNamed(text)) return "";
        return std::string("expected auto or one of ") + eventlog::InputFormatNames() + ", found '" + text + "'";
      });
  cmd->add_flag("--force", options->force, "replace OUT if it exists");
  cmd->add_flag("--json", options->json, "print the summary as JSON");
  cmd->callback([options, &exit_code] {
    eventlog::ImportRequest request;
    request.inputs = options->inputs;
    request.output = options->output;
    request.site = options->site;
    request.tool_version = PACKTWIN_VERSION;
    request.force = options->force;
    request.format = eventlog::InputFormatNamed(options->format).value_or(eventlog::InputFormat::kAuto);
    ProgressBar bar("importing", 0, "of the input bytes");
    auto summary = eventlog::ImportLogs(request, [&bar](uint64_t done, uint64_t total) {
      bar.SetTotal(total);
      bar.Update(done);
    });
    bar.Finish();
    if (!summary.ok()) {
      exit_code = Fail(summary.status().message() + "\nnothing was written to " + options->output);
      return;
    }
    if (options->json) {
      nlohmann::ordered_json out;
      out["output"] = options->output;
      out["events"] = summary->events;
      out["frames"] = summary->frames;
      out["gaps"] = summary->gaps;
      out["frames_lost"] = summary->frames_lost;
      out["skipped_lines"] = summary->skipped_lines;
      out["untimed"] = summary->untimed;
      out["frames_by_source"] = summary->frames_by_source;
      fmt::print("{}\n", out.dump(2));
      return;
    }
    fmt::print("imported {} from {} into {}\n", Counted(summary->frames, "frame"),
               Counted(options->inputs.size(), "file"), options->output);
    for (const auto& [source, frames] : summary->frames_by_source) {
      fmt::print("  {:<10} {}\n", source, Counted(frames, "frame"));
    }
    if (summary->gaps > 0) {
      fmt::print("  {}, {} lost at capture time\n", Counted(summary->gaps, "gap"), Counted(summary->frames_lost, "frame"));
    }
    if (summary->skipped_lines > 0) {
      fmt::print("  {} skipped: not CAN frames (statistics, chip status, markers)\n", Counted(summary->skipped_lines, "event"));
    }
    if (summary->untimed) {
      fmt::print("  note: an input has no timestamps (candump's screen output, or TRC without $STARTTIME): its frames "
                 "keep their order and are timed from 1970-01-01T00:00:00Z\n");
    }
  });
}

}  // namespace packtwin::cli
