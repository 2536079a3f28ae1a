// What a Modbus tap saw of a pack's BMS, against what the pack reported.
// A tap's log does not say whose RS-485 line it is on: a tap belongs to the
// pack whose TEL voltage equals a good BMS reply it saw (or, with one tap and
// one pack, to that pack). Then: a pack must use good replies (its voltage
// follows the BMS; field defect 1 throws them away), and its BMS_COMM_LOST
// must follow failed poll cycles.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::twin {

struct BmsFinding {
  uint8_t node = 0;
  std::string rule;
  std::string expected;
  std::string observed;
  int64_t wall_ns = 0;
  std::vector<uint64_t> evidence;
};

class BmsWatch {
 public:
  using FindingFn = std::function<void(const BmsFinding&)>;
  explicit BmsWatch(FindingFn on_finding) : on_finding_(std::move(on_finding)) {}
  void OnModbus(const v1::Event& event);
  void OnTelBatt(const firmware::TelBattFrame& f, uint64_t seq, int64_t wall_ns);

 private:
  struct Tap {
    bool has_good = false;
    uint16_t voltage_dV = 0;
    int64_t good_ns = 0;
    uint64_t good_seq = 0;
    int64_t first_failure_ns = 0;  // start of the current run of failures
    uint64_t failure_seq = 0;
    uint32_t failures = 0;         // attempts failed since the last good reply
    std::optional<uint8_t> node;
    bool by_elimination = false;  // taken back if a second pack shows up
  };
  struct PackWatch {
    int ignored_cycles = 0;
    bool ignored_flagged = false;
    bool lost_flagged = false;
    bool false_lost_flagged = false;
  };
  Tap* TapOf(uint8_t node);

  std::map<std::string, Tap> taps_;
  std::map<uint8_t, PackWatch> packs_;
  FindingFn on_finding_;
};

}  // namespace packtwin::twin
