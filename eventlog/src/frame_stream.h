// One input log as a stream of timestamped events, for the importer's merge.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "packtwin/eventlog/importer.h"
#include "packtwin/base/line_reader.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

struct StreamStats {
  int candump_digits = 0;       // widest timestamp precision seen (6 or 9)
  size_t candump_width = 0;     // widest interface field seen
  size_t candump_seconds_width = 0;  // widest zero-padded seconds field seen (0: never padded)
  bool candump = false;              // a candump file: its layout is worth keeping
  uint64_t skipped_lines = 0;
  bool untimed = false;  // the input had no timestamps
};

class FrameStream {
 public:
  virtual ~FrameStream() = default;
  // Fills `event` (wall and capture time, source, body); false at the end.
  virtual Result<bool> Next(v1::Event* event) = 0;
  virtual uint64_t file_size() const = 0;
  virtual uint64_t bytes_consumed() const = 0;
  virtual const StreamStats& stats() const = 0;
  // Where the event Next last gave came from, for an error about it
  // ("FILE:LINE", "FILE (near byte N)", "FILE: row N").
  virtual std::string Where() const = 0;
};

// Opens `path` and picks the parser: `format`, or by its first bytes or lines for kAuto.
Result<std::unique_ptr<FrameStream>> OpenFrameStream(const std::string& path, InputFormat format);

}  // namespace packtwin::eventlog
