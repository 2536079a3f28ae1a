#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "commands.h"
#include "packtwin/base/atomic_path.h"
#include "packtwin/eventlog/id_ranges.h"
#include "packtwin/firmware/can_v1_id.h"
#include "packtwin/twin/dbc_writer.h"

namespace packtwin::cli {
namespace {

Status WriteText(const std::string& path, bool force, const std::string& text) {
  auto target = AtomicPath::Prepare(path, OutputRules{force, {}, true});
  if (!target.ok()) return target.status();
  {
    std::ofstream out(target->temp_path(), std::ios::binary);
    out << text;
    out.close();
    if (!out) return Status::IoError(fmt::format("{}: write failed (disk full?)", path));
  }
  return target->Commit();
}

}  // namespace

void AddDbcCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string output;
    std::string nodes;
    bool force = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "dbc", "Write a DBC file of CAN protocol v1 (for cantools, canmatrix, SavvyCAN), made from the firmware's signal table");
  cmd->add_option("-o,--output", options->output, "file to write, e.g. alfaspark-v1.dbc (default: standard output)");
  cmd->add_option("--nodes", options->nodes,
                  "only these node ids, e.g. 0x2A,0x30-0x33 (default: every node 0x01-0x7E, and COMMAND to all)");
  cmd->add_flag("--force", options->force, "replace the output file if it exists");
  cmd->callback([options, &exit_code] {
    twin::DbcOptions dbc;
    dbc.version = fmt::format("packtwin {} Alfaspark CAN protocol v1", PACKTWIN_VERSION);
    if (!options->nodes.empty()) {
      auto ranges = eventlog::IdRanges::Parse(options->nodes);
      if (auto* error = std::get_if<ParseError>(&ranges)) {
        fmt::print(stderr, "packtwin dbc: --nodes '{}': {}\n", options->nodes, error->Describe());
        exit_code = kExitUsage;
        return;
      }
      const auto& wanted = std::get<eventlog::IdRanges>(ranges);
      for (uint32_t node = firmware::kFirstNodeId; node <= firmware::kBroadcastNodeId; ++node) {
        if (wanted.Contains(node)) dbc.nodes.push_back(static_cast<uint8_t>(node));
      }
      if (dbc.nodes.empty()) {
        fmt::print(stderr, "packtwin dbc: --nodes '{}' names no node id 0x01-0x7F\n", options->nodes);
        exit_code = kExitUsage;
        return;
      }
    }
    const std::string text = twin::WriteDbc(dbc);
    if (options->output.empty()) {
      std::cout << text;
      return;
    }
    if (Status written = WriteText(options->output, options->force, text); !written.ok()) {
      exit_code = Fail(written);
      return;
    }
    fmt::print(stderr, "wrote {}\n", options->output);
  });
}

}  // namespace packtwin::cli
