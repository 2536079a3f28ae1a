// Imports CAN logs (candump log and screen output, Vector ASC and BLF, PEAK
// TRC, python-can's SQLite databases) into a new event-log file. Several
// inputs are merged by timestamp. The output appears only when the import
// succeeded: it is written to a temporary file and renamed at the end.
#pragma once

#include "packtwin/base/progress.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "packtwin/base/status.h"

namespace packtwin::eventlog {

enum class InputFormat { kAuto, kCandump, kCandumpScreen, kAsc, kBlf, kTrc, kPycanSqlite };

// "candump", "candump-screen", "asc", "blf", "trc", "pycan-sqlite" ("auto" for kAuto).
const char* InputFormatName(InputFormat format);
// The format of a --format name; nullopt for a name packtwin does not read.
std::optional<InputFormat> InputFormatNamed(std::string_view name);
// Every name InputFormatNamed takes, for --help and errors.
const char* InputFormatNames();

struct ImportRequest {
  std::vector<std::string> inputs;
  std::string output;
  std::string site;
  std::string tool_version;
  InputFormat format = InputFormat::kAuto;
  bool force = false;  // replace an existing output
};

struct ImportSummary {
  uint64_t events = 0;         // everything written, capture start/stop included
  uint64_t frames = 0;
  uint64_t gaps = 0;
  uint64_t frames_lost = 0;    // summed over gap events
  uint64_t skipped_lines = 0;  // ASC and TRC events, BLF objects that are not CAN frames
  bool untimed = false;        // an input without timestamps (candump's screen output): frames 1 µs apart from 0
  std::map<std::string, uint64_t> frames_by_source;
};

// progress(bytes_done, bytes_total) over all inputs.

Result<ImportSummary> ImportLogs(const ImportRequest& request, const ProgressFn& progress = {});

}  // namespace packtwin::eventlog
