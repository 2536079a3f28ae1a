// A shadow of each pack's decisions: the firmware's own DecideRelays, fed
// with what the log shows the pack measured and was told (TEL frames each
// cycle, SET_RELAY and SET_TOU_WINDOW commands it ACKed, its sync status),
// predicting every relay. Where the prediction and the pack's own report
// disagree for longer than a cycle, the pack broke a rule.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/decision.h"

namespace packtwin::twin {

struct RelayDivergence {
  uint8_t node = 0;
  uint8_t relay = 0;
  bool expected_closed = false;
  firmware::RelayCause expected_cause = firmware::RelayCause::kDefault;
  int64_t since_ns = 0;
  int64_t now_ns = 0;
  std::vector<uint64_t> evidence;
};

class Shadow {
 public:
  using DivergenceFn = std::function<void(const RelayDivergence&)>;
  explicit Shadow(DivergenceFn on_divergence) : on_divergence_(std::move(on_divergence)) {}

  void OnTelBatt(const firmware::TelBattFrame& f, uint64_t seq, int64_t wall_ns);
  void OnTelPower(const firmware::TelPowerFrame& f);
  // The cycle's last TEL frame: the shadow decides and compares.
  void OnTelLoads(const firmware::TelLoadsFrame& f, uint64_t seq, int64_t wall_ns, int64_t local_ms, bool time_known);
  void OnCommand(const firmware::CommandFrame& f);
  void OnAck(const firmware::AckFrame& f);

 private:
  struct Pack {
    bool started = false;
    firmware::DecisionState decision;
    bool has_batt = false;
    firmware::TelBattFrame batt;
    uint64_t batt_seq = 0;
    int64_t batt_ns = 0;
    firmware::TelPowerFrame power;
    bool eco_seen_off = false;  // Eco history is known only once it was seen off
    bool tou_known = false;
    uint8_t tou_start_h = 0;
    uint8_t tou_end_h = 0;
    std::array<int64_t, 4> mismatch_since_ns{};
    std::array<uint64_t, 4> mismatch_seq{};
    std::array<bool, 4> flagged{};
  };
  void Compare(Pack& p, uint8_t node, uint64_t seq, int64_t wall_ns);

  std::map<uint8_t, Pack> packs_;
  std::vector<firmware::CommandFrame> recent_commands_;
  DivergenceFn on_divergence_;
};

}  // namespace packtwin::twin
