// One output format of `export`: what it writes per event, and around the events.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "packtwin/eventlog/jsonl_format.h"

#include "packtwin/v1/event.pb.h"

namespace packtwin::eventlog {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void Begin(int64_t /*first_wall_ns*/) {}
  // false when the format has no way to show this event
  virtual bool Write(const v1::Event& event) = 0;
  virtual void End() {}
};

struct PcapngHeader {
  std::string site;
  std::string recorded_by;  // the tool version that made the log
  std::string exported_by;  // this tool's version
};

// The signals a CSV export has columns for, and how often it writes a row.
struct CsvColumns {
  std::vector<std::string> names;  // signal names, units last ("soc_pct", "p_grid_W")
  int64_t every_ns = 0;            // 0: a row each time a node's value changes
  FrameDescriber describe;         // gives a frame's "node" and "signals"
};

// One row per node and change (or per --every tick) with every column's latest value.
std::unique_ptr<Sink> MakeCsvSink(std::ostream& out, CsvColumns columns);

// CAN frames, Modbus exchanges and MQTT messages as Wireshark reads them.
std::unique_ptr<Sink> MakePcapngSink(std::ostream& out, PcapngHeader header);

}  // namespace packtwin::eventlog
