#include "packtwin/replay/scenario_run.h"

#include "field_defects.h"
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

struct SentCommand {
  int64_t t_ms;
  uint8_t cmd;
  uint8_t seq;
};

struct SeenAck {
  int64_t t_ms;
  uint8_t node;
  firmware::AckFrame ack;
};

class ScenarioModel : public SimModel {
 public:
  ScenarioModel(const Scenario& scenario, uint64_t seed) : scenario_(scenario), rng_{seed * 0x9E3779B97F4A7C15ull + 1} {
    for (const auto& pack : scenario.packs) {
      PackWorld world;
      for (size_t c = 0; c < kChannelCount; ++c) world.channels[c] = {0, pack.initial[c], 0, pack.initial[c]};
      worlds_.push_back(world);
      defects_.emplace_back(pack.field_defects);
    }
    failed_.assign(scenario.expectations.size(), false);
  }

  const std::vector<ExpectationFailure>& failures() const { return failures_; }

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
    // Bounded by the timeline: each stimulus is applied once.
    for (; next_stimulus_ < scenario_.timeline.size() && scenario_.timeline[next_stimulus_].at_ms <= t; ++next_stimulus_) {
      const Stimulus& s = scenario_.timeline[next_stimulus_];
      PACKTWIN_RETURN_IF_ERROR(engine.Annotate(t, s.text));
      PACKTWIN_RETURN_IF_ERROR(Apply(engine, s, t));
    }
    return Status::Ok();
  }

  int64_t NextWakeMs(int64_t after_ms) const override {
    for (size_t i = next_stimulus_; i < scenario_.timeline.size(); ++i) {
      if (scenario_.timeline[i].at_ms > after_ms) return scenario_.timeline[i].at_ms;
    }
    return kNeverMs;
  }

  void PackSends(const SimEngine& engine, size_t pack, const firmware::CanFrame& frame, int64_t t,
                 std::vector<firmware::CanFrame>* out) override {
    defects_[pack].Sends(engine.pack(pack).state, frame, engine.LocalDayMs(t), out);
  }

  bool PackHears(const SimEngine& engine, size_t pack, firmware::CanFrame* frame) override {
    return defects_[pack].Hears(engine.pack(pack).state, frame);
  }

  void OnFrame(const firmware::CanFrame& frame, int64_t t) override {
    firmware::AckFrame ack;
    if (firmware::DecodeAck(frame, &ack) == firmware::DecodeStatus::kOk) acks_.push_back({t, ack.node, ack});
  }

  // The state this instant left holds until `next_ms`: expectations whose
  // time falls in [t, next) are judged on it.
  void AfterInstant(const SimEngine& engine, int64_t t, int64_t next_ms) override {
    for (size_t i = 0; i < scenario_.expectations.size(); ++i) {
      const Expectation& e = scenario_.expectations[i];
      if (failed_[i]) continue;
      if (e.never) {
        if (t > e.to_ms || next_ms <= e.from_ms) continue;
        std::string seen;
        if (Holds(engine, e, &seen)) Failed(i, std::max(t, e.from_ms), "never " + Describe(e), seen);
      } else if (e.at_ms >= t && e.at_ms < next_ms) {
        std::string seen;
        if (!Holds(engine, e, &seen)) Failed(i, e.at_ms, Describe(e), seen);
      }
    }
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
          if (firmware::DecodeCommand(s.frame, &cmd) == firmware::DecodeStatus::kOk) sent_.push_back({t, cmd.cmd, cmd.seq});
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
    }
    return Status::Ok();
  }

  std::string PackName(int pack) const { return scenario_.packs[static_cast<size_t>(pack)].sim.name; }

  std::string Describe(const Expectation& e) const {
    switch (e.subject) {
      case Subject::kRelay:
        return fmt::format("pack {} relay {} {}", PackName(e.pack), NameOf(kRelays, e.relay), e.on ? "closed" : "open");
      case Subject::kStatus:
        return fmt::format("pack {} {} {}", PackName(e.pack), NameOf(kStatuses, e.status_bit), e.on ? "active" : "inactive");
      case Subject::kMaster:
        return fmt::format("master {}", e.master == kMasterGateway ? "the gateway (no pack master)"
                                        : e.master == kMasterNone ? "none"
                                                                  : PackName(e.master));
      case Subject::kSoc:
        return fmt::format("pack {} SOC {} %", PackName(e.pack), e.value);
      case Subject::kNodeId:
        return fmt::format("pack {} node id 0x{:02X}", PackName(e.pack), e.value);
      case Subject::kAck:
        return fmt::format("ACK from pack {} for command 0x{:02X}{} with status {}", PackName(e.pack), e.ack_cmd,
                           e.ack_seq >= 0 ? fmt::format(" seq {}", e.ack_seq) : "", e.ack_status);
    }
    return e.text;
  }

  bool Holds(const SimEngine& engine, const Expectation& e, std::string* seen) const {
    if (e.subject == Subject::kMaster) return MasterHolds(engine, e, seen);
    const SimPack& p = engine.pack(static_cast<size_t>(e.pack));
    if (!p.powered) {
      *seen = "the pack is off";
      return false;
    }
    switch (e.subject) {
      case Subject::kRelay: {
        const bool closed = ((p.state.decision.relays >> e.relay) & 1u) != 0;
        *seen = closed ? "closed" : "open";
        return closed == e.on;
      }
      case Subject::kStatus: {
        const bool active = (firmware::StatusBits(p.state) & e.status_bit) != 0;
        *seen = active ? "active" : "inactive";
        return active == e.on;
      }
      case Subject::kSoc:
        *seen = fmt::format("{} %", p.state.measurements.soc);
        return p.state.measurements.soc == e.value;
      case Subject::kNodeId:
        *seen = fmt::format("0x{:02X}", p.state.settings.node_id);
        return p.state.settings.node_id == e.value;
      case Subject::kAck:
        return AckHolds(p.state.settings.node_id, e, seen);
      case Subject::kMaster:
        break;
    }
    return false;
  }

  bool MasterHolds(const SimEngine& engine, const Expectation& e, std::string* seen) const {
    std::vector<int> masters;
    for (size_t i = 0; i < engine.pack_count(); ++i) {
      if (engine.pack(i).powered && engine.pack(i).state.is_master) masters.push_back(static_cast<int>(i));
    }
    std::string names;
    for (int m : masters) names += fmt::format("{}{}", names.empty() ? "" : ", ", PackName(m));
    *seen = masters.empty() ? "no pack is master" : "master: " + names;
    if (e.master < 0) return masters.empty();
    return masters.size() == 1 && masters[0] == e.master;
  }

  bool AckHolds(uint8_t node, const Expectation& e, std::string* seen) const {
    int seq = e.ack_seq;
    if (seq < 0) {
      for (const auto& c : sent_) {
        if (c.cmd == e.ack_cmd && c.t_ms <= e.at_ms) seq = c.seq;
      }
    }
    std::string acks;
    for (const auto& a : acks_) {
      if (a.node != node || a.t_ms > e.at_ms || a.ack.cmd != e.ack_cmd || a.ack.seq != seq) continue;
      if (a.ack.status == e.ack_status) return true;
      acks += fmt::format("{}status {}", acks.empty() ? "" : ", ", a.ack.status);
    }
    *seen = acks.empty() ? fmt::format("no ACK for seq {}", seq) : "ACK with " + acks;
    return false;
  }

  void Failed(size_t i, int64_t at_ms, std::string expected, std::string seen) {
    failed_[i] = true;
    failures_.push_back({scenario_.expectations[i].path, at_ms, std::move(expected), std::move(seen)});
  }

  const Scenario& scenario_;
  Rng rng_;
  std::vector<PackWorld> worlds_;
  std::vector<FieldDefects> defects_;
  size_t next_stimulus_ = 0;
  std::vector<SentCommand> sent_;
  std::vector<SeenAck> acks_;
  std::vector<bool> failed_;
  std::vector<ExpectationFailure> failures_;
};

Status EvaluateCheck(const Scenario& scenario, const std::string& capture, ScenarioResult* result) {
  auto reader = EventReader::Open(capture);
  if (!reader.ok()) return reader.status();
  auto report = twin::CheckLog(**reader);
  if (!report.ok()) return report.status();
  std::string seen;
  for (const auto& f : report->findings) {
    result->check_rules.push_back(f.rule);
    if (seen.size() < 300) seen += fmt::format("{}{} at {}", seen.empty() ? "" : ", ", f.rule, FormatUtc(f.wall_ns));
  }
  if (seen.empty()) seen = "clean";
  const auto& check = scenario.check;
  const int64_t end_ms = scenario.site.duration_ms;
  if (check.clean && !report->findings.empty()) {
    result->failures.push_back({check.path, end_ms, "check clean", seen});
  }
  for (const auto& rule : check.rules) {
    const bool reported = std::find(result->check_rules.begin(), result->check_rules.end(), rule) != result->check_rules.end();
    if (!reported) result->failures.push_back({check.path, end_ms, "check reports " + rule, seen});
  }
  return Status::Ok();
}

std::string TemporaryCapture() {
  static int counter = 0;
  return (std::filesystem::temp_directory_path() / fmt::format("packtwin-scenario-{}-{}.db", getpid(), ++counter)).string();
}

}  // namespace

std::string FormatScenarioTime(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out = ms < 0 ? "-" : "";
  int64_t rest = ms < 0 ? -ms : ms;
  const int64_t h = rest / 3'600'000;
  const int64_t m = rest / 60'000 % 60;
  const int64_t s = rest / 1000 % 60;
  const int64_t milli = rest % 1000;
  if (h > 0) out += fmt::format("{}h", h);
  if (m > 0) out += fmt::format("{}m", m);
  if (s > 0) out += fmt::format("{}s", s);
  if (milli > 0) out += fmt::format("{}ms", milli);
  return out;
}

std::string FailureAsText(const ExpectationFailure& f) {
  return fmt::format("{} at {}: expected {}, seen {}", f.path, FormatScenarioTime(f.at_ms), f.expected, f.seen);
}

nlohmann::ordered_json ResultAsJson(const ScenarioResult& result) {
  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  for (const auto& f : result.failures) {
    failures.push_back({{"expectation", f.path}, {"at_ms", f.at_ms}, {"at", FormatScenarioTime(f.at_ms)},
                        {"expected", f.expected}, {"seen", f.seen}});
  }
  return {{"scenario", result.name},
          {"passed", result.passed()},
          {"capture", result.capture},
          {"events", result.summary.events},
          {"frames", result.summary.frames},
          {"modbus_exchanges", result.summary.modbus_exchanges},
          {"relay_changes", result.summary.relay_changes},
          {"expectations", result.expectations},
          {"check_rules", result.check_rules},
          {"failures", failures}};
}

Result<ScenarioResult> RunScenario(const Scenario& scenario, const ScenarioRunOptions& options) {
  const uint64_t seed = options.seed.value_or(scenario.seed);
  ScenarioModel model(scenario, seed);
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
  ScenarioResult result;
  result.name = scenario.name;
  result.capture = keep ? capture.output : "";
  result.summary = *summary;
  result.expectations = static_cast<int>(scenario.expectations.size()) + (scenario.check.present ? 1 : 0);
  result.failures = model.failures();
  Status checked = scenario.check.present ? EvaluateCheck(scenario, capture.output, &result) : Status::Ok();
  if (!keep) std::filesystem::remove(capture.output);
  if (!checked.ok()) return checked;
  return result;
}

}  // namespace packtwin::replay
