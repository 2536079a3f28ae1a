// Firmware 2.5's known field defects (pack-behaviour.md), emulated around the
// 2.6 reducer so a scenario can reproduce what the field saw and `check` can
// be shown to flag it. Each defect changes only what crosses the pack's
// boundary (frames it sends, frames it hears, BMS bytes it gets, what its
// relays really do); the reducer itself stays the one that ships.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "packtwin/firmware/can_frame.h"
#include "packtwin/firmware/pack_state.h"

namespace packtwin::replay {

inline constexpr int kFirstDefect = 1;
inline constexpr int kLastDefect = 10;

class FieldDefects {
 public:
  FieldDefects() = default;
  explicit FieldDefects(uint16_t defect_bits) : bits_(defect_bits) {}
  bool Has(int defect) const { return (bits_ >> defect) & 1u; }

  // Defect 1: the pack compares the CRC high byte first, so it sees the reply
  // with its CRC bytes swapped (only replies whose two CRC bytes match pass).
  std::string BytesThePackSees(const std::string& reply) const;
  // What the pack puts on the bus for one frame its reducer sends.
  void Sends(const firmware::PackState& state, const firmware::CanFrame& frame, int64_t local_day_ms,
             std::vector<firmware::CanFrame>* out);
  // Whether the pack hears a frame, and as what (defects 5 and 6).
  bool Hears(const firmware::PackState& state, firmware::CanFrame* frame) const;
  // Relays that conduct although the reducer has them open (defects 3 and 7).
  uint8_t extra_closed_relays() const { return extra_closed_; }

 private:
  void RelayEvt(const firmware::PackState& state, const firmware::CanFrame& frame, std::vector<firmware::CanFrame>* out);

  uint16_t bits_ = 0;
  uint8_t extra_closed_ = 0;
  uint8_t pending_restores_ = 0;   // defect 7: restored in the next cycle
  int64_t last_day_ms_ = -1;       // defect 4
  uint32_t midnight_offset_Wh10_ = 0;
  bool past_midnight_ = false;
};

}  // namespace packtwin::replay
