#include "packtwin/twin/shadow.h"

#include "packtwin/firmware/local_clock.h"
#include "packtwin/firmware/protocol_v1.h"

namespace packtwin::twin {
namespace {

constexpr int64_t kAllowanceNs = 2'500'000'000;  // one control cycle plus jitter
constexpr int64_t kSameCycleNs = 500'000'000;    // TEL_BATT .. TEL_LOADS of one cycle
constexpr size_t kRecentCommands = 16;

bool IsEcoRelay(uint8_t relay) { return relay != firmware::kRelayGrid; }

}  // namespace

void Shadow::OnTelBatt(const firmware::TelBattFrame& f, uint64_t seq, int64_t wall_ns) {
  Pack& p = packs_[f.node];
  p.has_batt = true;
  p.batt = f;
  p.batt_seq = seq;
  p.batt_ns = wall_ns;
}

void Shadow::OnTelPower(const firmware::TelPowerFrame& f) { packs_[f.node].power = f; }

void Shadow::OnCommand(const firmware::CommandFrame& f) {
  if (recent_commands_.size() >= kRecentCommands) recent_commands_.erase(recent_commands_.begin());
  recent_commands_.push_back(f);
}

// A command counts for the shadow once the pack ACKed it OK.
void Shadow::OnAck(const firmware::AckFrame& f) {
  if (f.status != static_cast<uint8_t>(firmware::AckStatus::kOk)) return;
  for (const auto& c : recent_commands_) {
    if (c.cmd != f.cmd || c.seq != f.seq || (c.node != f.node && c.node != firmware::kBroadcastNodeId)) continue;
    Pack& p = packs_[f.node];
    if (c.cmd == static_cast<uint8_t>(firmware::Command::kSetRelay) && c.args_len == 2 && c.args[0] < 4) {
      p.decision.manual[c.args[0]] = c.args[1] == firmware::kManualClear ? firmware::kNoManual : c.args[1];
    }
    if (c.cmd == static_cast<uint8_t>(firmware::Command::kSetTouWindow) && c.args_len == 2) {
      p.tou_known = true;
      p.tou_start_h = c.args[0];
      p.tou_end_h = c.args[1];
    }
    return;
  }
}

void Shadow::OnTelLoads(const firmware::TelLoadsFrame& f, uint64_t seq, int64_t wall_ns, int64_t local_ms,
                        bool time_known) {
  Pack& p = packs_[f.node];
  if (!p.has_batt || wall_ns - p.batt_ns > kSameCycleNs) return;
  p.has_batt = false;
  const bool eco_on = (p.batt.modes & firmware::kModeEco) != 0;
  if (!p.started) {
    // Start from what the pack reports: its relays and hysteresis as they are.
    p.started = true;
    p.decision.relays = p.batt.relays;
    p.decision.sc_was_on = (p.batt.modes & firmware::kModeSelfConsumption) != 0;
    p.decision.sc_grid_closed = (p.batt.relays & 1u) != 0;
  }
  if (!eco_on) p.eco_seen_off = true;
  firmware::DecisionInputs in;
  in.modes = p.batt.modes;
  in.lockout = (p.batt.status & firmware::kStatusLockout) != 0;
  in.soc = p.batt.soc;
  in.p_home_W = p.power.p_home_W;
  in.p_pool_W = f.p_pool_W;
  in.p_heater_W = f.p_heater_W;
  in.eco_limit_W = f.eco_limit_100W * 100;
  in.time_synced = time_known && (p.batt.status & firmware::kStatusTimeUnsynced) == 0 && p.tou_known;
  in.local_hour = time_known ? static_cast<uint8_t>(((local_ms % firmware::kMsPerDay) + firmware::kMsPerDay) %
                                                    firmware::kMsPerDay / 3'600'000)
                             : 0;
  in.tou_start_h = p.tou_start_h;
  in.tou_end_h = p.tou_end_h;
  in.now_ms = static_cast<uint64_t>(p.batt_ns / 1'000'000);
  firmware::Decision decision;
  firmware::DecideRelays(&p.decision, in, &decision);
  Compare(p, f.node, seq, wall_ns);
}

void Shadow::Compare(Pack& p, uint8_t node, uint64_t seq, int64_t wall_ns) {
  const bool eco_on = (p.batt.modes & firmware::kModeEco) != 0;
  const bool tou_unknown = (p.batt.modes & firmware::kModeTimeOfUse) != 0 && !p.tou_known;
  for (uint8_t relay = 0; relay < firmware::kRelayCount; ++relay) {
    // What the log cannot tell: Eco's history from before the capture, a
    // time-of-use window never sent.
    const bool unknowable = (eco_on && !p.eco_seen_off && IsEcoRelay(relay)) ||
                            (tou_unknown && relay == firmware::kRelayInverter);
    // A grid relay closed in lockout has a rule of its own (grid-closed-in-lockout).
    const bool lockout = relay == firmware::kRelayGrid && (p.batt.status & firmware::kStatusLockout) != 0;
    const bool expected = (p.decision.relays >> relay) & 1u;
    const bool observed = (p.batt.relays >> relay) & 1u;
    if (unknowable || lockout || expected == observed) {
      p.mismatch_since_ns[relay] = 0;
      p.flagged[relay] = false;
      continue;
    }
    if (p.mismatch_since_ns[relay] == 0) {
      p.mismatch_since_ns[relay] = p.batt_ns;
      p.mismatch_seq[relay] = p.batt_seq;
      continue;
    }
    if (p.flagged[relay] || p.batt_ns - p.mismatch_since_ns[relay] <= kAllowanceNs) continue;
    p.flagged[relay] = true;
    on_divergence_({node, relay, expected, p.decision.cause[relay], p.mismatch_since_ns[relay], wall_ns,
                    {p.mismatch_seq[relay], p.batt_seq, seq}});
  }
}

}  // namespace packtwin::twin
