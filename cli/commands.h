// Each subcommand registers itself on the app and reports its exit code.
// Exit codes: 0 ok, 1 failed (bad input, I/O), 2 verify found damage, 64 usage.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/base/status.h"
#include "progress_bar.h"

namespace packtwin::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitDamaged = 2;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

void AddImportCommand(CLI::App& app, int& exit_code);
void AddExportCommand(CLI::App& app, int& exit_code);
void AddInfoCommand(CLI::App& app, int& exit_code);
void AddVerifyCommand(CLI::App& app, int& exit_code);
void AddDemoCommand(CLI::App& app, int& exit_code);
void AddRecordCommand(CLI::App& app, int& exit_code);
void AddStateCommand(CLI::App& app, int& exit_code);
void AddTimelineCommand(CLI::App& app, int& exit_code);
void AddDigestCommand(CLI::App& app, int& exit_code);
void AddCheckCommand(CLI::App& app, int& exit_code);
void AddSimulateCommand(CLI::App& app, int& exit_code);
void AddGoldenCommand(CLI::App& app, int& exit_code);
void AddRegressCommand(CLI::App& app, int& exit_code);
void AddReplayCommand(CLI::App& app, int& exit_code);
void AddScenarioCommand(CLI::App& app, int& exit_code);
void AddBmsEmulateCommand(CLI::App& app, int& exit_code);
void AddShipCommand(CLI::App& app, int& exit_code);
void AddCollectCommand(CLI::App& app, int& exit_code);
void AddFleetCommand(CLI::App& app, int& exit_code);
void AddKeygenCommand(CLI::App& app, int& exit_code);
void AddBridgeCommand(CLI::App& app, int& exit_code);
void AddDbcCommand(CLI::App& app, int& exit_code);
void AddMonitorCommand(CLI::App& app, int& exit_code);
void AddViewCommand(CLI::App& app, int& exit_code);

// Installs SIGINT/SIGTERM handlers that write to a pipe; returns its read end.
int InstallStopPipe();

// "packtwin: <message>" on stderr; returns kExitFailed.
int Fail(const std::string& message);
// The same for a status; a damaged log (corruption) returns kExitDamaged, as verify does.
int Fail(const Status& status);

// Opens a log for a command; on failure says why, sets exit_code, gives nullptr.
std::unique_ptr<eventlog::EventReader> OpenLog(const std::string& db, int& exit_code);

// After a command's output: events a reading skipped as damaged (their
// record checks failed) are named on stderr and the exit code becomes
// kExitDamaged. The output stands for everything else in the log.
void WarnSkippedDamaged(const std::string& db, const std::map<uint64_t, uint64_t>& runs, int& exit_code);

// Runs work(progress) behind a progress bar over the log's events: how every
// command that walks a log shows how far it got.
template <typename Work>
auto WithEventProgress(eventlog::EventReader& reader, const char* label, Work&& work) {
  auto counts = reader.Counts();
  ProgressBar bar(label, counts.ok() ? counts->events : 0, "");
  auto result = work([&bar](uint64_t done, uint64_t) { bar.Update(done); });
  bar.Finish();
  return result;
}

// A --speed value: a finite number above 0 (and at most 1000); not nan, 0 or negative.
CLI::Validator SpeedValidator();
// A --seed value: a whole number 0 or above.
CLI::Validator SeedValidator();

// --tz site|utc|local: how text output prints times (site: the offset of the
// log's first TIME frame, else UTC). False when the log cannot be read.
inline constexpr const char* kTzHelp =
    "how times are printed: site (the offset the site's TIME frames announce; UTC when it has none), utc or local";
bool ApplyDisplayZone(const std::string& tz, eventlog::EventReader& reader, int& exit_code);

// A --duration value (90s, 10m, 24h) in ms; on a bad value says so and sets exit_code.
std::optional<int64_t> ParseDurationOption(const std::string& command, const std::string& text, int& exit_code);

}  // namespace packtwin::cli
