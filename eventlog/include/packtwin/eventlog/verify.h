// Walks the hash chain of an event log and reports the first event that is
// changed, missing or inserted.
#pragma once

#include "packtwin/base/progress.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "packtwin/eventlog/event_reader.h"

namespace packtwin::eventlog {

struct ChainReport {
  bool intact = false;
  uint64_t events_checked = 0;
  std::optional<uint64_t> first_bad_seq;
  std::string problem;  // empty when intact
  std::string head_hex;  // hash of the last event checked
  // Events located as damaged by their record checks (first seq -> last seq
  // of each run); the rest of the log was still checked.
  std::map<uint64_t, uint64_t> damaged;
  // The last event is a capture_stop: every writer ends a log with one, so a
  // log without it was not finished (its writer crashed or is still writing,
  // or the file or its WAL was cut after a commit: all read the same).
  bool ends_with_stop = false;
};

// progress(events_done, 0) is called every few thousand events.

// An error only when the file cannot be read at all; damage is a report.
Result<ChainReport> VerifyChain(EventReader& reader, const ProgressFn& progress = {});

}  // namespace packtwin::eventlog
