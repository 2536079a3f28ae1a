// $.timeline of a scenario: BMS and load steps and ramps, bridge commands,
// TIME frames, raw frames, faults and the gateway joining or leaving.
#include <fmt/format.h>

#include <algorithm>

#include "packtwin/eventlog/candump_format.h"
#include "packtwin/base/time_spec.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/can_v1_id.h"
#include "packtwin/bus/firmware_frame.h"
#include "scenario_names.h"
#include "scenario_parsers.h"

namespace packtwin::replay {
namespace {

class TimelineParser {
 public:
  TimelineParser(Scenario& scenario, uint8_t& next_seq) : scenario_(scenario), next_seq_(next_seq) {}

  void ParseStimulus(JsonFields f) {
    if (!f.ExpectObject({"at", "pack", "over", "for", "bms", "loads", "command", "time", "raw", "fault", "code", "by",
                         "serial_of", "relay", "gateway", "mqtt", "note"})) {
      return;
    }
    Stimulus s;
    s.path = f.path();
    s.at_ms = f.Duration("at", true).value_or(0);
    if (s.at_ms < 0) f.Fail(f.KeyPath("at"), "must not be negative");
    int actions = 0;
    for (const char* key : {"bms", "loads", "command", "time", "raw", "fault", "gateway", "mqtt"}) actions += f.Has(key) ? 1 : 0;
    if (actions != 1) {
      f.Fail(f.path(), "expected exactly one of: bms, loads, command, time, raw, fault, gateway, mqtt");
      return;
    }
    if (f.Has("mqtt")) {
      ParseMqtt(*f.Member("mqtt", true), &s);
      if (auto note = f.String("note", false)) s.text += " (" + *note + ")";
      scenario_.timeline.push_back(std::move(s));
      return;
    }
    if (f.Has("bms") || f.Has("loads")) {
      ParseSet(f, &s);
    } else if (f.Has("command")) {
      ParseCommand(*f.Member("command", true), &s);
    } else if (f.Has("time")) {
      ParseTime(*f.Member("time", true), &s);
    } else if (f.Has("raw")) {
      ParseRaw(f, &s);
    } else if (f.Has("fault")) {
      ParseFault(f, &s);
    } else {
      auto what = f.String("gateway", true);
      if (what && *what != "join" && *what != "leave") f.Fail(f.KeyPath("gateway"), "expected \"join\" or \"leave\"");
      if (!scenario_.site.gateway.present) f.Fail(f.KeyPath("gateway"), "the site has no gateway ($.site.gateway)");
      s.kind = what == "join" ? StimulusKind::kGatewayJoin : StimulusKind::kGatewayLeave;
      s.text = fmt::format("gateway {}", what.value_or(""));
    }
    if (auto note = f.String("note", false)) s.text += " (" + *note + ")";
    scenario_.timeline.push_back(std::move(s));
  }

  // {"topic": "alfaspark/commands/mode", "payload": {...}} or "raw": "any text"
  void ParseMqtt(JsonFields m, Stimulus* s) {
    if (!m.ExpectObject({"topic", "payload", "raw"})) return;
    if (!scenario_.mqtt_bridge) m.Fail(m.path(), "the site's bridge is not on MQTT ($.site.bridge.mqtt: true)");
    s->kind = StimulusKind::kMqtt;
    s->mqtt_topic = m.String("topic", true).value_or("");
    if (m.Has("payload") == m.Has("raw")) {
      m.Fail(m.path(), "expected one of: payload (a JSON value), raw (text published as is)");
      return;
    }
    s->mqtt_payload = m.Has("payload") ? m.value()["payload"].dump() : m.String("raw", true).value_or("");
    const std::string shown = s->mqtt_payload.size() > 60 ? s->mqtt_payload.substr(0, 60) + "..." : s->mqtt_payload;
    s->text = fmt::format("app publishes {} {}", s->mqtt_topic, shown);
  }

  void ParseSet(JsonFields& f, Stimulus* s) {
    s->kind = StimulusKind::kSet;
    s->pack = PackIndex(f, "pack", true);
    const bool bms = f.Has("bms");
    auto member = f.Member(bms ? "bms" : "loads", true);
    if (bms) {
      ParseChannels(*member, kBmsChannels, nullptr, &s->targets);
    } else {
      ParseChannels(*member, kLoadChannels, nullptr, &s->targets);
    }
    if (auto over = f.Duration("over", false)) {
      if (*over <= 0) f.Fail(f.KeyPath("over"), "a ramp takes a positive time");
      s->until_ms = s->at_ms + *over;
    } else {
      s->until_ms = s->at_ms;
    }
    s->text = fmt::format("{} {} {}{}", s->pack >= 0 ? scenario_.packs[static_cast<size_t>(s->pack)].sim.name : "",
                          bms ? "bms" : "loads", member->value().dump(),
                          s->until_ms > s->at_ms ? fmt::format(" over {} ms", s->until_ms - s->at_ms) : "");
  }

  void ParseCommand(JsonFields c, Stimulus* s) {
    if (!c.ExpectObject({"to", "cmd", "seq", "mode", "on", "watts", "kWh", "start_h", "end_h", "relay", "state",
                         "args"})) {
      return;
    }
    firmware::CommandFrame cmd;
    cmd.node = firmware::kBroadcastNodeId;
    if (c.Has("to") && c.value()["to"] != "all") {
      if (c.value()["to"].is_number_integer()) {
        cmd.node = static_cast<uint8_t>(c.Int("to", 1, 0x7F, true).value_or(0x7F));
      } else {
        const int pack = PackIndex(c, "to", true);
        if (pack >= 0) cmd.node = scenario_.packs[static_cast<size_t>(pack)].sim.stored.node_id;
      }
    }
    if (c.Has("cmd") && c.value()["cmd"].is_number_integer()) {
      cmd.cmd = static_cast<uint8_t>(c.Int("cmd", 0, 255, true).value_or(0));
    } else {
      cmd.cmd = Lookup(c, "cmd", kCommands, true).value_or(0);
    }
    cmd.seq = static_cast<uint8_t>(c.Int("seq", 0, 255, false).value_or(next_seq_));
    next_seq_ = static_cast<uint8_t>(cmd.seq + 1);
    std::vector<uint8_t> args = CommandArgs(c, cmd.cmd);
    if (c.Has("args")) {
      args.clear();
      auto raw = c.Array("args", true);
      if (raw) {
        for (size_t i = 0; i < raw->value().size() && i < 6; ++i) {
          const auto& b = raw->value()[i];
          if (!b.is_number_integer() || b < 0 || b > 255) raw->Fail(raw->path(), "expected up to 6 bytes 0..255");
          args.push_back(b.is_number_integer() ? b.get<uint8_t>() : 0);
        }
        if (raw->value().size() > 6) raw->Fail(raw->path(), "a command carries at most 6 argument bytes");
      }
    }
    cmd.args_len = static_cast<uint8_t>(args.size());
    std::copy(args.begin(), args.end(), cmd.args);
    s->kind = StimulusKind::kFrame;
    s->is_command = true;
    s->frame = firmware::EncodeCommand(cmd);
    s->text = fmt::format("command {} to {}: {}", NameOf(kCommands, cmd.cmd), cmd.node == 0x7F ? "all" : fmt::format("0x{:02X}", cmd.node),
                          c.value().dump());
  }

  std::vector<uint8_t> CommandArgs(JsonFields& c, uint8_t command) {
    auto byte = [&](const char* key, int64_t lo, int64_t hi) {
      return static_cast<uint8_t>(c.Int(key, lo, hi, !c.Has("args")).value_or(0));
    };
    switch (command) {
      case 0x10: {
        uint8_t mode = 0;
        if (c.Has("mode") && c.value()["mode"].is_number_integer()) {
          mode = byte("mode", 0, 255);  // out of range on purpose is allowed: the pack must refuse it
        } else {
          mode = Lookup(c, "mode", kModes, !c.Has("args")).value_or(0);
        }
        return {mode, static_cast<uint8_t>(c.Bool("on", !c.Has("args")).value_or(false) ? 1 : 0)};
      }
      case 0x11: {
        const auto watts = static_cast<uint16_t>(c.Int("watts", 0, 65535, !c.Has("args")).value_or(0));
        return {static_cast<uint8_t>(watts & 0xFF), static_cast<uint8_t>(watts >> 8)};
      }
      case 0x12:
        return {byte("kWh", 0, 255)};
      case 0x13:
        return {byte("start_h", 0, 255), byte("end_h", 0, 255)};
      case 0x14: {
        uint8_t relay = c.Has("relay") && c.value()["relay"].is_number_integer() ? byte("relay", 0, 255)
                                                                                 : Lookup(c, "relay", kRelays, !c.Has("args")).value_or(0);
        auto state = c.String("state", !c.Has("args"));
        if (state && *state != "open" && *state != "closed" && *state != "clear") {
          c.Fail(c.KeyPath("state"), "expected \"open\", \"closed\" or \"clear\"");
        }
        return {relay, static_cast<uint8_t>(state == "closed" ? 1 : state == "clear" ? firmware::kManualClear : 0)};
      }
      default:
        return {};
    }
  }

  void ParseTime(JsonFields t, Stimulus* s) {
    if (!t.ExpectObject({"utc", "unix_s", "utc_offset_min"})) return;
    firmware::TimeFrame time;
    time.node = kBridgeNode;
    time.flags = 1;
    int64_t unix_s = scenario_.site.start_unix_s + s->at_ms / 1000;
    unix_s = t.UtcSeconds("utc", false).value_or(unix_s);
    unix_s = t.Int("unix_s", 0, UINT32_MAX, false).value_or(unix_s);
    time.unix_s = static_cast<uint32_t>(unix_s);
    // Any i16 is allowed here: an invalid offset is a stimulus the pack must refuse.
    time.utc_offset_min = static_cast<int16_t>(t.Int("utc_offset_min", INT16_MIN, INT16_MAX, false)
                                                   .value_or(scenario_.site.utc_offset_min));
    s->kind = StimulusKind::kFrame;
    s->frame = firmware::EncodeTime(time);
    s->text = fmt::format("TIME {} offset {} min", FormatUtc(unix_s * 1'000'000'000), time.utc_offset_min);
  }

  void ParseRaw(JsonFields& f, Stimulus* s) {
    auto text = f.String("raw", true);
    if (!text) return;
    auto parsed = eventlog::ParseCandumpLine("(0.000000) can0 " + *text);
    const auto* line = std::get_if<eventlog::CandumpLine>(&parsed);
    const auto* frame_line = line != nullptr ? std::get_if<eventlog::CandumpFrameLine>(line) : nullptr;
    auto frame = frame_line != nullptr ? bus::ToFirmwareFrame(frame_line->frame) : std::nullopt;
    if (!frame) {
      f.Fail(f.KeyPath("raw"), fmt::format("expected a classic CAN frame in candump notation like \"07F#10070201\", found \"{}\"", *text));
      return;
    }
    s->kind = StimulusKind::kFrame;
    s->frame = *frame;
    s->text = "raw " + *text;
  }

  void ParseFault(JsonFields& f, Stimulus* s) {
    auto kind = Lookup(f, "fault", kFaults, true);
    if (!kind) return;
    s->kind = *kind;
    if (*kind != StimulusKind::kTimeJump) s->pack = PackIndex(f, "pack", true);
    if (auto lasting = f.Duration("for", false)) {
      if (*lasting <= 0) f.Fail(f.KeyPath("for"), "must be positive");
      s->until_ms = s->at_ms + *lasting;
    }
    if (*kind == StimulusKind::kException) s->exception_code = static_cast<uint8_t>(f.Int("code", 1, 255, true).value_or(4));
    if (*kind == StimulusKind::kTimeJump) s->jump_ms = f.Duration("by", true).value_or(0);
    if (*kind == StimulusKind::kDuplicateSerial) s->serial_of_pack = PackIndex(f, "serial_of", true);
    if (*kind == StimulusKind::kRelayWelded) s->relay = static_cast<uint8_t>(Lookup(f, "relay", kRelays, true).value_or(0));
    s->text = fmt::format("fault {}{}", f.value()["fault"].get<std::string>(),
                          s->pack >= 0 ? " on " + scenario_.packs[static_cast<size_t>(s->pack)].sim.name : "");
  }

 private:
  int PackIndex(JsonFields& f, const char* key, bool required) { return replay::PackIndex(scenario_, f, key, required); }

  Scenario& scenario_;
  uint8_t& next_seq_;
};

}  // namespace

void ParseStimulus(JsonFields f, Scenario* scenario, uint8_t* next_seq) {
  TimelineParser(*scenario, *next_seq).ParseStimulus(f);
}

}  // namespace packtwin::replay
