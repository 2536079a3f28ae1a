// Writes events of a log as candump, Vector ASC, JSON lines, pcapng or CSV, filtered by
// time and CAN id. To a file (atomically) or to an open stream.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <ostream>
#include <string>
#include <vector>

#include "packtwin/eventlog/id_ranges.h"
#include "packtwin/eventlog/interface_names.h"
#include "packtwin/eventlog/jsonl_format.h"
#include "packtwin/base/status.h"
#include "packtwin/base/time_spec.h"
#include "packtwin/eventlog/verify.h"

namespace packtwin::eventlog {

enum class ExportFormat { kCandump, kAsc, kJsonl, kPcapng, kCsv };

struct ExportRequest {
  std::string db;
  ExportFormat format = ExportFormat::kCandump;
  std::optional<TimeSpec> from;  // inclusive
  std::optional<TimeSpec> to;    // exclusive
  std::optional<IdRanges> ids;   // only CAN frames with these ids (or of these `frames`)
  std::set<std::string> frames;  // only CAN frames of these protocol names (or with these `ids`)
  std::function<const char*(const v1::CanFrame&)> frame_name;  // the protocol's name of a frame, for `frames`
  std::optional<uint64_t> around_seq;  // only the events from around_seq - context to around_seq + context
  uint64_t context = 10;
  InterfaceNames interfaces;     // CAN interface names candump, ASC and pcapng write
  FrameDescriber describe;       // frame names and signals for JSON lines
  int timestamp_digits = 0;      // candump: 6 or 9; 0 = as the log was imported
  std::string tool_version;      // the exporting packtwin's, named in a pcapng's header
  std::vector<std::string> csv_columns;  // CSV: the signals, in column order
  int64_t every_ns = 0;          // CSV: a row per node each this often; 0: at every change
  // Events located as damaged are left out (and listed in the summary)
  // instead of stopping the export.
  bool skip_located_damage = false;
};

struct ExportSummary {
  uint64_t written = 0;  // events written
  uint64_t skipped = 0;  // events the format cannot show (e.g. Modbus in candump)
  std::map<uint64_t, uint64_t> skipped_damaged;  // runs of events located as damaged, not written
};

Result<ExportSummary> ExportEvents(const ExportRequest& request, std::ostream& out, const ProgressFn& progress = {});
// Same, into `path` via a temporary file; refuses to replace it unless forced.
Result<ExportSummary> ExportEventsToFile(const ExportRequest& request, const std::string& path, bool force,
                                        const ProgressFn& progress = {});

}  // namespace packtwin::eventlog
