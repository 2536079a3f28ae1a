#include "packtwin/replay/scenario_run.h"

#include "field_defects.h"
#include "scenario_judge.h"
#include "scenario_names.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/base/time_spec.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/can_v1_id.h"
#include "packtwin/firmware/modbus_rtu.h"
#include "packtwin/firmware/protocol_v1.h"
#include "packtwin/bus/bridge_mqtt_codec.h"
#include "packtwin/firmware/bridge_reducer.h"
#include "packtwin/replay/rng.h"
#include "packtwin/twin/check.h"

namespace packtwin::replay {

namespace {

// A value that steps or ramps: v0 at t0 moving linearly to v1 at t1.
struct Segment {
  int64_t t0_ms = 0;
  int64_t v0 = 0;
  int64_t t1_ms = 0;
  int64_t v1 = 0;
  int64_t At(int64_t t_ms) const {
    if (t_ms >= t1_ms || t1_ms <= t0_ms) return v1;
    return v0 + (v1 - v0) * (t_ms - t0_ms) / (t1_ms - t0_ms);
  }
};

struct PackWorld {
  std::array<Segment, kChannelCount> channels;
  int64_t timeout_until_ms = 0;
  int64_t crc_error_until_ms = 0;
  int64_t exception_until_ms = 0;
  uint8_t exception_code = 0;
  uint8_t welded_relays = 0;
};

// The simulated world of a scenario: each pack's channels stepping and
// ramping as the timeline says, BMS faults, welded relays, field defects, and
// the stimuli applied at their instants; expectations go to the judge.
class ScenarioModel : public SimModel {
 public:
  ScenarioModel(const Scenario& scenario, uint64_t seed, ScenarioJudge* judge)
      : scenario_(scenario), judge_(judge), rng_{seed * 0x9E3779B97F4A7C15ull + 1} {
    for (const auto& pack : scenario.packs) {
      PackWorld world;
      for (size_t c = 0; c < kChannelCount; ++c) world.channels[c] = {0, pack.initial[c], 0, pack.initial[c]};
      worlds_.push_back(world);
      defects_.emplace_back(pack.field_defects);
    }
    if (scenario.mqtt_bridge) {
      bridge_ = std::make_unique<firmware::BridgeState>();
      firmware::BridgeConfig config;
      config.defects = scenario.bridge_defects;
      firmware::BridgeInit(bridge_.get(), config);
    }
  }

  BmsAnswer AnswerBms(const SimEngine&, size_t pack, const std::string&, int64_t t) override {
    const PackWorld& w = worlds_[pack];
    if (t < w.timeout_until_ms) return {false, {}, {}};
    if (t < w.exception_until_ms) {
      return {true, EncodeExceptionReply(firmware::kReadHoldingRegisters, static_cast<uint8_t>(w.exception_code)), {}};
    }
    std::string reply = EncodeBmsReply(static_cast<uint16_t>(w.channels[kVoltageMv].At(t) / 100),
                                       static_cast<int16_t>(w.channels[kCurrentMa].At(t) / 10),
                                       static_cast<uint16_t>(w.channels[kAlarmBits].At(t)),
                                       static_cast<int16_t>(w.channels[kTemperatureDc].At(t)));
    if (t < w.crc_error_until_ms) reply.back() = static_cast<char>(reply.back() ^ 0x5A);
    return {true, reply, defects_[pack].BytesThePackSees(reply)};
  }

  // CTs measure what flows: a load behind an open relay reads 0.
  firmware::CtSample SampleCts(const SimEngine& engine, size_t pack, int64_t t) override {
    const PackWorld& w = worlds_[pack];
    const uint8_t relays = engine.pack(pack).state.decision.relays | defects_[pack].extra_closed_relays();
    auto flowing = [&](Channel c, uint8_t relay) {
      return (((relays | w.welded_relays) >> relay) & 1u) != 0 ? static_cast<int32_t>(w.channels[c].At(t)) : 0;
    };
    const auto noise_W = static_cast<int32_t>(w.channels[kNoiseW].At(t));
    int32_t home_W = flowing(kHomeW, firmware::kRelayInverter);
    if (home_W > 0 && noise_W > 0) home_W += rng_.Range(0, noise_W);
    auto mA = [](int32_t watts) { return static_cast<uint32_t>(static_cast<int64_t>(watts) * 1000 / 220); };
    return {mA(flowing(kGridW, firmware::kRelayGrid)), mA(home_W), mA(flowing(kPoolW, firmware::kRelayPool)),
            mA(flowing(kHeaterW, firmware::kRelayHeater))};
  }

  Status OnInstant(SimEngine& engine, int64_t t) override {
    engine_ = &engine;
    if (bridge_) {
      firmware::BridgeOutputs out;
      firmware::BridgeTick(bridge_.get(), BridgeClockAt(engine, t), &out);
      if (!bridge_connected_) {
        bridge_connected_ = true;  // the broker is up from the start
        firmware::BridgeOnMqttConnected(bridge_.get(), BridgeClockAt(engine, t), &out);
      }
      PACKTWIN_RETURN_IF_ERROR(CarryBridge(engine, out, t));
    }
    // Bounded by the timeline: each stimulus is applied once.
    for (; next_stimulus_ < scenario_.timeline.size() && scenario_.timeline[next_stimulus_].at_ms <= t; ++next_stimulus_) {
      const Stimulus& s = scenario_.timeline[next_stimulus_];
      PACKTWIN_RETURN_IF_ERROR(engine.Annotate(t, s.text));
      PACKTWIN_RETURN_IF_ERROR(Apply(engine, s, t));
    }
    return Status::Ok();
  }

  int64_t NextWakeMs(int64_t after_ms) const override {
    int64_t next = kNeverMs;
    for (size_t i = next_stimulus_; i < scenario_.timeline.size(); ++i) {
      if (scenario_.timeline[i].at_ms > after_ms) {
        next = scenario_.timeline[i].at_ms;
        break;
      }
    }
    // The bridge's command results fall due 2.5 s after their commands.
    if (bridge_) {
      for (const auto& pending : bridge_->pending) {
        if (pending.used && static_cast<int64_t>(pending.due_ms) > after_ms) next = std::min(next, static_cast<int64_t>(pending.due_ms));
      }
    }
    return next;
  }

  void PackSends(const SimEngine& engine, size_t pack, const firmware::CanFrame& frame, int64_t t,
                 std::vector<firmware::CanFrame>* out) override {
    defects_[pack].Sends(engine.pack(pack).state, frame, engine.LocalDayMs(t), out);
  }

  bool PackHears(const SimEngine& engine, size_t pack, firmware::CanFrame* frame) override {
    return defects_[pack].Hears(engine.pack(pack).state, frame);
  }

  void OnFrame(const firmware::CanFrame& frame, int64_t t) override {
    judge_->OnFrame(frame, t);
    if (bridge_ && engine_ != nullptr && !FromTheSimBridge(frame)) {
      firmware::BridgeOutputs out;
      firmware::BridgeOnCanFrame(bridge_.get(), frame, BridgeClockAt(*engine_, t), &out);
      bridge_status_ = CarryBridge(*engine_, out, t);
    }
  }

  Status bridge_status() const { return bridge_status_; }

  void AfterInstant(const SimEngine& engine, int64_t t, int64_t next_ms) override {
    judge_->AfterInstant(engine, t, next_ms);
  }

 private:
  Status Apply(SimEngine& engine, const Stimulus& s, int64_t t) {
    const auto pack = static_cast<size_t>(std::max(0, s.pack));
    switch (s.kind) {
      case StimulusKind::kSet:
        for (const auto& [channel, target] : s.targets) {
          Segment& seg = worlds_[pack].channels[channel];
          seg = {t, seg.At(t), s.until_ms, target};
        }
        return Status::Ok();
      case StimulusKind::kFrame:
        if (s.is_command) {
          firmware::CommandFrame cmd;
          if (firmware::DecodeCommand(s.frame, &cmd) == firmware::DecodeStatus::kOk) judge_->OnCommandSent(t, cmd.cmd, cmd.seq);
        }
        engine.Send(s.frame);
        return Status::Ok();
      case StimulusKind::kBmsTimeout:
        worlds_[pack].timeout_until_ms = s.until_ms;
        return Status::Ok();
      case StimulusKind::kCrcError:
        worlds_[pack].crc_error_until_ms = s.until_ms;
        return Status::Ok();
      case StimulusKind::kException:
        worlds_[pack].exception_until_ms = s.until_ms;
        worlds_[pack].exception_code = s.exception_code;
        return Status::Ok();
      case StimulusKind::kPowerOff:
        return engine.PowerOff(pack, t);
      case StimulusKind::kPowerOn:
        return engine.PowerOn(pack, t);
      case StimulusKind::kDuplicateSerial:
        PACKTWIN_RETURN_IF_ERROR(engine.PowerOff(pack, t));
        engine.SetSerial(pack, engine.pack(static_cast<size_t>(s.serial_of_pack)).config.serial);
        return engine.PowerOn(pack, t);
      case StimulusKind::kTimeJump:
        engine.ShiftBridgeClock(s.jump_ms);
        engine.SendBridgeTime(t);
        return Status::Ok();
      case StimulusKind::kRelayWelded:
        worlds_[pack].welded_relays = static_cast<uint8_t>(worlds_[pack].welded_relays | (1u << s.relay));
        return Status::Ok();
      case StimulusKind::kGatewayJoin:
      case StimulusKind::kGatewayLeave:
        engine.SetGatewayPresent(s.kind == StimulusKind::kGatewayJoin, t);
        return Status::Ok();
      case StimulusKind::kMqtt:
        return AppPublishes(engine, s, t);
    }
    return Status::Ok();
  }

  // The engine's own bridge sends HEARTBEAT and TIME (as the scenario's site
  // says); the bridge reducer adds the MQTT side and the app's commands.
  static bool FromTheSimBridge(const firmware::CanFrame& frame) {
    const uint32_t function = frame.id >> 7;
    return function == 0x0 || ((frame.id & 0x7F) == kBridgeNode && (function == 0x2 || function == 0xE));
  }

  static firmware::BridgeClock BridgeClockAt(const SimEngine& engine, int64_t t) {
    firmware::BridgeClock clock;
    clock.now_ms = static_cast<uint64_t>(t);
    clock.wall_ms = engine.WallNs(t) / 1'000'000;
    clock.ntp_synced = true;
    return clock;
  }

  Status CarryBridge(SimEngine& engine, const firmware::BridgeOutputs& out, int64_t t) {
    for (uint8_t i = 0; i < out.can_count; ++i) {
      // Only its COMMAND frames: HEARTBEAT and TIME are the engine's bridge's.
      if ((out.can[i].id >> 7) != 0x0) continue;
      firmware::CommandFrame cmd;
      if (firmware::DecodeCommand(out.can[i], &cmd) == firmware::DecodeStatus::kOk) judge_->OnCommandSent(t, cmd.cmd, cmd.seq);
      engine.Send(out.can[i]);
    }
    for (uint8_t i = 0; i < out.publication_count; ++i) {
      const auto message = bus::EncodePublication(out.publications[i]);
      judge_->OnPublication(t, message.topic, message.payload);
      PACKTWIN_RETURN_IF_ERROR(engine.RecordMqtt(t, message.topic, message.payload, true, message.retained));
    }
    return Status::Ok();
  }

  Status AppPublishes(SimEngine& engine, const Stimulus& s, int64_t t) {
    PACKTWIN_RETURN_IF_ERROR(engine.RecordMqtt(t, s.mqtt_topic, s.mqtt_payload, false, false));
    if (!bridge_ || !bus::IsCommandTopic(s.mqtt_topic)) return Status::Ok();
    const auto decoded = bus::DecodeAppCommand(s.mqtt_topic, s.mqtt_payload);
    firmware::BridgeOutputs out;
    if (const auto* command = std::get_if<firmware::BridgeCommand>(&decoded)) {
      firmware::BridgeOnCommand(bridge_.get(), *command, BridgeClockAt(engine, t), &out);
    } else {
      firmware::BridgeOnInvalidCommand(bridge_.get(), std::get<firmware::BridgeInvalid>(decoded), BridgeClockAt(engine, t), &out);
    }
    return CarryBridge(engine, out, t);
  }

  const Scenario& scenario_;
  ScenarioJudge* judge_;
  std::unique_ptr<firmware::BridgeState> bridge_;
  SimEngine* engine_ = nullptr;
  bool bridge_connected_ = false;
  Status bridge_status_ = Status::Ok();
  Rng rng_;
  std::vector<PackWorld> worlds_;
  std::vector<FieldDefects> defects_;
  size_t next_stimulus_ = 0;
};

std::string TemporaryCapture() {
  static int counter = 0;
  return (std::filesystem::temp_directory_path() / fmt::format("packtwin-scenario-{}-{}.db", getpid(), ++counter)).string();
}

}  // namespace

Result<ScenarioResult> RunScenario(const Scenario& scenario, const ScenarioRunOptions& options) {
  const uint64_t seed = options.seed.value_or(scenario.seed);
  ScenarioJudge judge(scenario);
  ScenarioModel model(scenario, seed, &judge);
  SimCaptureOptions capture;
  const bool keep = !options.output.empty();
  capture.output = keep ? options.output : TemporaryCapture();
  capture.force = keep ? options.force : true;
  capture.inputs = options.inputs;
  capture.site = scenario.name;
  capture.tool_version = options.tool_version;
  capture.configuration_json = nlohmann::json{{"scenario", scenario.name}, {"seed", seed}}.dump();
  auto summary = RunToCapture(scenario.site, &model, capture);
  if (!summary.ok()) return summary.status();
  PACKTWIN_RETURN_IF_ERROR(model.bridge_status());
  ScenarioResult result;
  result.name = scenario.name;
  result.capture = keep ? capture.output : "";
  result.summary = *summary;
  result.expectations = static_cast<int>(scenario.expectations.size()) + (scenario.check.present ? 1 : 0);
  result.failures = judge.failures();
  Status checked = scenario.check.present ? EvaluateCheck(scenario, capture.output, &result) : Status::Ok();
  if (!keep) std::filesystem::remove(capture.output);
  if (!checked.ok()) return checked;
  return result;
}

}  // namespace packtwin::replay
