// Imports CAN logs (candump, Vector ASC) into a new event-log file. Several
// inputs are merged by timestamp. The output appears only when the import
// succeeded: it is written to a temporary file and renamed at the end.
#pragma once

#include "packtwin/base/progress.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "packtwin/base/status.h"

namespace packtwin::eventlog {

enum class InputFormat { kAuto, kCandump, kAsc };

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
  uint64_t skipped_lines = 0;  // ASC events that are not CAN frames
  std::map<std::string, uint64_t> frames_by_source;
};

// progress(bytes_done, bytes_total) over all inputs.

Result<ImportSummary> ImportLogs(const ImportRequest& request, const ProgressFn& progress = {});

}  // namespace packtwin::eventlog
