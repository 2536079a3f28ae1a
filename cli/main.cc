// packtwin: a thin layer that parses arguments and calls the libraries.
#include <fmt/format.h>
#include <signal.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>

#include "commands.h"
#include "packtwin/eventlog/event_hash.h"
#include "packtwin/eventlog/store_format.h"
#include "packtwin/base/interrupt.h"
#include "packtwin/base/time_spec.h"
#include "packtwin/recorder/recorder.h"

namespace packtwin::cli {

int Fail(const std::string& message) {
  fmt::print(stderr, "packtwin: {}\n", message);
  return kExitFailed;
}

int Fail(const Status& status) {
  Fail(status.message());
  return status.IsCorruption() ? kExitDamaged : kExitFailed;
}

std::unique_ptr<eventlog::EventReader> OpenLog(const std::string& db, int& exit_code) {
  auto reader = eventlog::EventReader::Open(db);
  if (!reader.ok()) {
    exit_code = Fail(reader.status());
    return nullptr;
  }
  // Commands go on past located damage and name it (WarnSkippedDamaged).
  (*reader)->SkipLocatedDamage(true);
  return std::move(*reader);
}

void WarnSkippedDamaged(const std::string& db, const std::map<uint64_t, uint64_t>& runs, int& exit_code) {
  if (runs.empty()) return;
  const uint64_t events = eventlog::CountSeqRuns(runs);
  fmt::print(stderr,
             "packtwin: warning: {}: {} damaged event{} skipped ({}): {} record check{} failed; everything else was "
             "read; run packtwin verify\n",
             db, events, events == 1 ? "" : "s", eventlog::DescribeSeqRuns(runs), events == 1 ? "its" : "their",
             events == 1 ? "" : "s");
  exit_code = kExitDamaged;  // over check's 1 for findings: the findings are of a damaged log
}

std::optional<int64_t> ParseDurationOption(const std::string& command, const std::string& text, int& exit_code) {
  auto ms = ParseDurationMs(text, /*bare_seconds=*/true, /*allow_sign=*/false);
  if (ms && *ms > 0) return ms;
  fmt::print(stderr, "packtwin {}: --duration '{}': expected a time like 90s, 10m or 24h\n", command, text);
  exit_code = kExitUsage;
  return std::nullopt;
}

CLI::Validator SpeedValidator() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (end == text.c_str() || *end != '\0' || !std::isfinite(value) || value <= 0 || value > 1000) {
          return "expected a speed above 0 and at most 1000 (1 = real time, 2 = twice as fast), found '" + text + "'";
        }
        return "";
      },
      "SPEED");
}

CLI::Validator SeedValidator() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos) {
          return "expected a whole number 0 or above, found '" + text + "'";
        }
        return "";
      },
      "SEED");
}

}  // namespace packtwin::cli

int main(int argc, char** argv) {
  using namespace packtwin::cli;
  // Past a file-size limit a write should fail (and be reported), not kill us.
  ::signal(SIGXFSZ, SIG_IGN);
  packtwin::InstallInterruptCleanup();
  if (const packtwin::Status hashing = packtwin::eventlog::Sha256Available(); !hashing.ok()) {
    std::fprintf(stderr, "packtwin: %s\n", hashing.message().c_str());
    return 1;
  }
  CLI::App app{"packtwin: record, replay and explain Alfaspark energy sites from their CAN and Modbus traffic"};
  app.set_version_flag("--version", fmt::format("packtwin {}\nevent logs: writes schema {}, reads schemas 1-{}\n"
                                                "CAN protocol: Alfaspark v1",
                                                PACKTWIN_VERSION, packtwin::eventlog::kSchemaVersion,
                                                packtwin::eventlog::kSchemaVersion));
  app.require_subcommand(1);
  int exit_code = kExitOk;
  AddDemoCommand(app, exit_code);
  AddRecordCommand(app, exit_code);
  AddImportCommand(app, exit_code);
  AddExportCommand(app, exit_code);
  AddInfoCommand(app, exit_code);
  AddVerifyCommand(app, exit_code);
  AddStateCommand(app, exit_code);
  AddTimelineCommand(app, exit_code);
  AddCheckCommand(app, exit_code);
  AddDigestCommand(app, exit_code);
  AddSimulateCommand(app, exit_code);
  AddGoldenCommand(app, exit_code);
  AddRegressCommand(app, exit_code);
  AddReplayCommand(app, exit_code);
  AddScenarioCommand(app, exit_code);
  AddBmsEmulateCommand(app, exit_code);
  AddShipCommand(app, exit_code);
  AddCollectCommand(app, exit_code);
  AddFleetCommand(app, exit_code);
  AddKeygenCommand(app, exit_code);
  AddBridgeCommand(app, exit_code);
  AddDbcCommand(app, exit_code);
  AddMonitorCommand(app, exit_code);
  AddViewCommand(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "packtwin: {}\nRun 'packtwin --help' or 'packtwin COMMAND --help' for usage.\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    // Only the environment gets here (a write to a closed or full stderr):
    // report it if stderr still takes it, and fail.
    std::fprintf(stderr, "packtwin: %s\n", e.what());
    return kExitFailed;
  }
  // Output that could not be written (a full disk, a closed pipe) is a failure, not a success.
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    fmt::print(stderr, "packtwin: cannot write the output: {}\n", std::strerror(errno));
    return exit_code == kExitOk ? kExitFailed : exit_code;
  }
  return exit_code;
}
