// The bridge reducer driven as a test drives it: a clock that moves as the
// test says, CAN frames and app commands in, what it sends and publishes kept.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "packtwin/firmware/bridge_reducer.h"

namespace packtwin::firmware::testing {

inline constexpr int64_t kWall2026_ms = 1'795'233'600'000;  // 2026-11-21T04:00:00Z

// The bridge with a clock that moves as the test says.
class Bridge {
 public:
  explicit Bridge(uint8_t defects = 0, int64_t wall_ms = kWall2026_ms) : wall_start_ms_(wall_ms) {
    BridgeConfig config;
    config.serial_lo = 0xB1D6E001;
    config.defects = defects;
    state_ = std::make_unique<BridgeState>();
    BridgeInit(state_.get(), config);
    Step();
  }

  BridgeClock Clock() const {
    BridgeClock clock;
    clock.now_ms = now_ms_;
    clock.wall_ms = wall_start_ms_ + static_cast<int64_t>(now_ms_) + wall_offset_ms_;
    clock.ntp_synced = ntp_;
    clock.utc_offset_min = 60;
    return clock;
  }
  // Runs the timers at every millisecond boundary the next deadline names, to `t_ms`.
  void AdvanceTo(uint64_t t_ms) {
    // Bounded: each pass moves time forward to a deadline or to t_ms.
    while (now_ms_ < t_ms) {
      const uint64_t next = BridgeNextDeadlineMs(*state_);
      now_ms_ = next > now_ms_ && next < t_ms ? next : t_ms;
      Step();
    }
  }
  void Step() {
    out_.Clear();
    BridgeTick(state_.get(), Clock(), &out_);
    Keep();
  }
  void Frame(const CanFrame& frame) {
    out_.Clear();
    BridgeTick(state_.get(), Clock(), &out_);
    BridgeOnCanFrame(state_.get(), frame, Clock(), &out_);
    Keep();
  }
  void Command(const BridgeCommand& command) {
    out_.Clear();
    BridgeTick(state_.get(), Clock(), &out_);
    BridgeOnCommand(state_.get(), command, Clock(), &out_);
    Keep();
  }
  void Invalid(const BridgeInvalid& invalid) {
    out_.Clear();
    BridgeOnInvalidCommand(state_.get(), invalid, Clock(), &out_);
    Keep();
  }
  void Connected() {
    out_.Clear();
    BridgeOnMqttConnected(state_.get(), Clock(), &out_);
    Keep();
  }
  // A pack that says it is there (heartbeat as slave or master).
  void Pack(uint8_t node, uint8_t role = 0, uint8_t fw_minor = 6) {
    HeartbeatFrame hb;
    hb.node = node;
    hb.device_type = 1;
    hb.fw_major = 2;
    hb.fw_minor = fw_minor;
    hb.role = role;
    hb.serial_lo = 0x1000u + node;
    Frame(EncodeHeartbeat(hb));
  }
  void Ack(uint8_t node, uint8_t cmd, uint8_t seq, AckStatus status = AckStatus::kOk) {
    Frame(EncodeAck({node, cmd, seq, static_cast<uint8_t>(status)}));
  }
  void Telemetry(uint8_t node, uint8_t soc) {
    TelBattFrame batt;
    batt.node = node;
    batt.pack_cV = 5120;
    batt.current_cA = -250;
    batt.soc = soc;
    batt.relays = 0x3;
    batt.modes = 0x3;
    Frame(EncodeTelBatt(batt));
    Frame(EncodeTelPower({node, 100, 900, -800, 0}));
    Frame(EncodeTelLoads({node, 0, 0, 123, 10, 30}));
  }
  void StepClock(int64_t by_ms) { wall_offset_ms_ += by_ms; }
  void SetNtp(bool ntp) { ntp_ = ntp; }
  void ClearSeen() {
    can_.clear();
    pubs_.clear();
  }
  const std::vector<CanFrame>& can() const { return can_; }
  const std::vector<BridgePublication>& pubs() const { return pubs_; }
  std::vector<CanFrame> Sent(CanFunction function) const {
    std::vector<CanFrame> out;
    for (const auto& f : can_) {
      if ((f.id >> 7) == static_cast<uint32_t>(function)) out.push_back(f);
    }
    return out;
  }
  std::vector<BridgePublication> Published(BridgeTopic topic) const {
    std::vector<BridgePublication> out;
    for (const auto& p : pubs_) {
      if (p.topic == topic) out.push_back(p);
    }
    return out;
  }
  uint64_t now_ms() const { return now_ms_; }
  const BridgeState& state() const { return *state_; }

 private:
  void Keep() {
    for (uint8_t i = 0; i < out_.can_count; ++i) can_.push_back(out_.can[i]);
    for (uint8_t i = 0; i < out_.publication_count; ++i) pubs_.push_back(out_.publications[i]);
  }
  int64_t wall_start_ms_;
  int64_t wall_offset_ms_ = 0;
  bool ntp_ = true;
  uint64_t now_ms_ = 0;
  std::unique_ptr<BridgeState> state_;
  BridgeOutputs out_;
  std::vector<CanFrame> can_;
  std::vector<BridgePublication> pubs_;
};

inline BridgeCommand Cmd(BridgeCommandName name, const char* id, uint8_t node = kBroadcastNodeId) {
  BridgeCommand c;
  c.name = name;
  c.id.Set(id);
  c.node = node;
  return c;
}

inline BridgeCommand ModeOn(const char* id, uint8_t mode = 2) {
  BridgeCommand c = Cmd(BridgeCommandName::kMode, id);
  c.mode = mode;
  c.on = true;
  return c;
}

}  // namespace packtwin::firmware::testing
