// `golden` and `regress`: turn a capture into a regression test.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "packtwin/base/counted.h"
#include "packtwin/base/atomic_path.h"
#include "packtwin/twin/golden.h"

namespace packtwin::cli {

void AddGoldenCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db, output;
    bool force = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("golden", "Write what the twin makes of a capture (timeline, findings, digests) to a golden file");
  cmd->add_option("DB", options->db, "event log")->required();
  cmd->add_option("-o,--output", options->output, "the golden file, e.g. DB.golden.json")->required();
  cmd->add_flag("--force", options->force, "replace the golden file if it exists");
  cmd->callback([options, &exit_code] {
    auto reader = eventlog::EventReader::Open(options->db);
    if (!reader.ok()) {
      exit_code = Fail(reader.status());
      return;
    }
    auto golden = twin::MakeGolden(**reader);
    if (!golden.ok()) {
      exit_code = Fail(golden.status());
      return;
    }
    auto target = AtomicPath::Prepare(options->output, OutputRules{options->force, {options->db}, true});
    if (!target.ok()) {
      exit_code = Fail(target.status());
      return;
    }
    {
      std::ofstream out(target->temp_path());
      out << golden->dump(1) << "\n";
      if (!out) {
        exit_code = Fail(fmt::format("{}: write failed", options->output));
        return;
      }
    }
    Status committed = target->Commit();
    if (!committed.ok()) {
      exit_code = Fail(committed.message());
      return;
    }
    fmt::print("wrote {}: {}, {}, {}, final digest {}\n", options->output,
               Counted((*golden)["events"].get<uint64_t>(), "event"), Counted((*golden)["timeline"].size(), "change"),
               Counted((*golden)["findings"].size(), "finding"),
               (*golden)["digests"].back()["digest"].get<std::string>());
  });
}

void AddRegressCommand(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db, golden;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "regress", "Rebuild a capture with the current reducers and report the first difference from its golden file");
  cmd->add_option("DB", options->db, "event log")->required();
  cmd->add_option("--golden", options->golden, "the golden file")->required();
  cmd->callback([options, &exit_code] {
    std::ifstream in(options->golden);
    if (!in) {
      exit_code = Fail(fmt::format("{}: cannot read: {}", options->golden, std::strerror(errno)));
      return;
    }
    std::stringstream text;
    text << in.rdbuf();
    const auto golden = nlohmann::json::parse(text.str(), nullptr, false);
    if (golden.is_discarded()) {
      exit_code = Fail(fmt::format("{}: not valid JSON; write a golden file with 'packtwin golden'", options->golden));
      return;
    }
    auto reader = eventlog::EventReader::Open(options->db);
    if (!reader.ok()) {
      exit_code = Fail(reader.status());
      return;
    }
    auto difference = twin::Regress(**reader, golden);
    if (!difference.ok()) {
      exit_code = Fail(fmt::format("{}: {}", options->golden, difference.status().message()));
      return;
    }
    if (!*difference) {
      fmt::print("{}: same as {} ({}, {})\n", options->db, options->golden, Counted(golden["timeline"].size(), "change"),
                 Counted(golden.value("findings", nlohmann::json::array()).size(), "finding"));
      return;
    }
    const auto& d = **difference;
    fmt::print("{}: differs from {} first at seq {} ({}):\n  before: {}\n  after:  {}\n", options->db, options->golden,
               d.seq, d.what, d.before, d.after);
    exit_code = kExitFailed;
  });
}

}  // namespace packtwin::cli
