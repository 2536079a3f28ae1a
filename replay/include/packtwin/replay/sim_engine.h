// The simulated site both `simulate` and `scenario run` drive: every pack runs
// the firmware reducer, its BMS answers the pack's Modbus polls through a
// model, its CTs read what a model says flows, and the CAN bus delivers frames
// sent at the same instant in arbitration order (lowest id first). Everything
// is recorded with the event kinds the recorder writes. The world around the
// packs (BMS values, loads, stimuli, faults) is a SimModel; the engine owns
// time, the packs, the bridge, the bus and the log.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "packtwin/base/progress.h"
#include "packtwin/eventlog/event_writer.h"
#include "packtwin/base/status.h"
#include "packtwin/firmware/can_frame.h"
#include "packtwin/firmware/effects.h"
#include "packtwin/firmware/measurement.h"
#include "packtwin/firmware/pack_state.h"

namespace packtwin::replay {

inline constexpr int64_t kNeverMs = INT64_MAX;
inline constexpr int64_t kBmsLatencyMs = 15;
inline constexpr int64_t kBmsTimeoutMs = 100;
inline constexpr uint8_t kBridgeNode = 0x01;

struct SimPackConfig {
  std::string name;
  uint64_t serial = 0;
  int64_t boot_ms = 0;  // kNeverMs: stays off until powered on
  firmware::PackSettings stored;  // non-volatile storage at power-on
};

struct SimGatewayConfig {
  bool present = false;
  uint8_t node = 0x7E;
  uint32_t serial_lo = 0x6A7E0001;
  int64_t join_ms = 0;
};

struct SimSiteConfig {
  int64_t start_unix_s = 1795233600;  // 2026-11-21T04:00:00Z: 05:00 local at UTC+1
  int16_t utc_offset_min = 60;
  int64_t duration_ms = 0;
  bool bridge = true;                 // heartbeats every 10 s
  int64_t bridge_time_every_ms = 3'600'000;  // TIME frames; kNeverMs: none
  int64_t bridge_first_time_ms = 1000;
  SimGatewayConfig gateway;
  std::vector<SimPackConfig> packs;
};

struct SimSummary {
  uint64_t events = 0;
  uint64_t frames = 0;
  uint64_t modbus_exchanges = 0;
  uint64_t relay_changes = 0;
};

// What a BMS answers: reply bytes, or nothing (a timeout).
struct BmsAnswer {
  bool replies = true;
  std::string bytes;      // what is on the wire (and in a tap's log)
  std::string pack_sees;  // what the pack's reducer gets; empty: the same bytes
};

class SimEngine;

// The world around the packs. Calls come in a fixed order for an instant:
// OnInstant (stimuli), then the packs' duties and inputs, then the bus, then
// AfterInstant (expectations see the state the instant left).
class SimModel {
 public:
  virtual ~SimModel() = default;
  virtual BmsAnswer AnswerBms(const SimEngine& engine, size_t pack, const std::string& request, int64_t t_ms) = 0;
  virtual firmware::CtSample SampleCts(const SimEngine& engine, size_t pack, int64_t t_ms) = 0;
  virtual Status OnInstant(SimEngine& /*engine*/, int64_t /*t_ms*/) { return Status::Ok(); }
  virtual int64_t NextWakeMs(int64_t /*after_ms*/) const { return kNeverMs; }
  virtual void AfterInstant(const SimEngine& /*engine*/, int64_t /*t_ms*/, int64_t /*next_ms*/) {}
  virtual void OnFrame(const firmware::CanFrame& /*frame*/, int64_t /*t_ms*/) {}
  // What a pack puts on the bus for one frame its reducer sends.
  virtual void PackSends(const SimEngine& /*engine*/, size_t /*pack*/, const firmware::CanFrame& frame,
                         int64_t /*t_ms*/, std::vector<firmware::CanFrame>* out) {
    out->push_back(frame);
  }
  // Whether a pack hears a frame from the bus, and as what.
  virtual bool PackHears(const SimEngine& /*engine*/, size_t /*pack*/, firmware::CanFrame* /*frame*/) { return true; }
};

struct SimPack {
  size_t index = 0;
  SimPackConfig config;
  firmware::PackState state;
  firmware::PackSettings flash;  // what storage holds now
  bool powered = false;
  int64_t bms_reply_at_ms = kNeverMs;
  std::string bms_request;
  int64_t next_ct_ms = kNeverMs;
};

class SimEngine {
 public:
  SimEngine(SimSiteConfig config, eventlog::EventWriter* writer, SimModel* model);

  Status Run(const ProgressFn& progress = {});  // simulated ms done, of the duration

  // Stimuli a model may apply during OnInstant.
  void Send(const firmware::CanFrame& frame);  // onto the bus from outside the packs
  Status PowerOff(size_t pack, int64_t t_ms);
  Status PowerOn(size_t pack, int64_t t_ms);
  void SetSerial(size_t pack, uint64_t serial) { packs_[pack]->config.serial = serial; }
  void SetGatewayPresent(bool present, int64_t t_ms);
  void ShiftBridgeClock(int64_t by_ms) { bridge_clock_shift_ms_ += by_ms; }
  void SendBridgeTime(int64_t t_ms);
  Status Annotate(int64_t t_ms, const std::string& text);
  // A message on the site's MQTT broker, recorded as the bridge's log holds it.
  Status RecordMqtt(int64_t t_ms, const std::string& topic, const std::string& payload, bool from_bridge, bool retained);

  size_t pack_count() const { return packs_.size(); }
  const SimPack& pack(size_t i) const { return *packs_[i]; }
  const SimSummary& summary() const { return summary_; }
  int64_t WallNs(int64_t t_ms) const { return config_.start_unix_s * 1'000'000'000 + t_ms * 1'000'000; }
  int64_t LocalDayMs(int64_t t_ms) const;

 private:
  struct Pending {
    firmware::CanFrame frame;
    const SimPack* sender;
  };

  v1::Event Stamped(int64_t t_ms, const std::string& source) const;
  Status Record(v1::Event event);
  Status CarryOut(SimPack& p, const firmware::Effects& effects, int64_t t_ms);
  int64_t NextTime(int64_t t_ms) const;
  Status Step(int64_t t_ms);
  Status Boot(SimPack& p, int64_t t_ms);
  Status AnswerBms(size_t i, int64_t t_ms);
  Status SampleCts(size_t i, int64_t t_ms);
  Status DrainBus(int64_t t_ms);

  SimSiteConfig config_;
  eventlog::EventWriter* writer_;
  SimModel* model_;
  std::vector<std::unique_ptr<SimPack>> packs_;
  std::vector<Pending> bus_;
  int64_t next_bridge_heartbeat_ms_ = 0;
  int64_t next_bridge_time_ms_ = kNeverMs;
  int64_t bridge_clock_shift_ms_ = 0;
  int64_t next_gateway_heartbeat_ms_ = kNeverMs;
  SimSummary summary_;
};

// A good 13-byte BMS reply for the four registers (CRC-16/MODBUS, low byte first).
std::string EncodeBmsReply(uint16_t voltage_dV, int16_t current_cA, uint16_t alarm_bits, int16_t temp_dC);
// `01 (function|0x80) code CRC`: the firmware's encoder, as bytes.
std::string EncodeExceptionReply(uint8_t function, uint8_t exception_code);

// Writes a capture: CAPTURE_START with `configuration`, the engine's run,
// CAPTURE_STOP; atomically at `output`.
struct SimCaptureOptions {
  std::string output;
  bool force = false;
  std::vector<std::string> inputs;  // files the run reads: never replaced by the output
  std::string site;
  std::string tool_version;
  std::string configuration_json;
};
Result<SimSummary> RunToCapture(const SimSiteConfig& site, SimModel* model, const SimCaptureOptions& options,
                                const std::function<void(int64_t, int64_t)>& progress = {});

}  // namespace packtwin::replay
