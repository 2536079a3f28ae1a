// `packtwin record`: captures every configured source into a new event log
// until a stop request, the duration or the event limit, committing at least
// every 100 ms. A source that fails is reported and the others keep going; a
// write failure (full disk) stops the capture with the file still valid.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "packtwin/base/status.h"
#include "packtwin/recorder/source.h"

namespace packtwin::recorder {

struct RecordOptions {
  std::string output;
  std::string site;
  std::string tool_version;
  bool force = false;
  int64_t duration_ms = 0;  // 0: until stopped
  uint64_t max_events = 0;  // 0: no limit
  int stop_fd = -1;         // readable when the user asks to stop (signal self-pipe)
  // Shown each event once it is recorded (record --print); called on the recording thread.
  std::function<void(const v1::Event&)> on_event;
};

struct SourceReport {
  std::string name;
  SourceStats stats;
  std::string failure;  // empty while healthy
};

struct RecordSummary {
  uint64_t events = 0;
  std::string stop_reason;
  std::vector<SourceReport> sources;
  bool any_source_failed = false;
};

// Called about once a second with the running totals, for the status line.
using StatusFn = std::function<void(const RecordSummary& running, int64_t elapsed_ms, uint64_t file_bytes)>;
// Called once per source failure, with the message to show.
using WarnFn = std::function<void(const std::string& message)>;

Result<RecordSummary> Record(const RecordOptions& options, std::vector<std::unique_ptr<Source>> sources,
                             const StatusFn& status, const WarnFn& warn);

}  // namespace packtwin::recorder
