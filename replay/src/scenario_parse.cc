// The scenario JSON format (scenarios/README.md) into a Scenario. Every key is
// checked; a mistake names its JSON path, what was expected and what was found.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "field_defects.h"
#include "json_fields.h"
#include "packtwin/eventlog/candump_format.h"
#include "packtwin/eventlog/time_spec.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/can_v1_id.h"
#include "packtwin/firmware/protocol_v1.h"
#include "packtwin/replay/scenario.h"
#include "packtwin/twin/firmware_frame.h"

namespace packtwin::replay {
namespace {

using firmware::CanFrame;

template <typename T>
struct Named {
  const char* name;
  T value;
};

constexpr Named<uint8_t> kRelays[] = {{"grid", 0}, {"inverter", 1}, {"pool", 2}, {"heater", 3}};
constexpr Named<uint8_t> kStatuses[] = {{"lockout", firmware::kStatusLockout},
                                        {"eco_overload", firmware::kStatusEcoOverload},
                                        {"bms_comm_lost", firmware::kStatusBmsCommLost},
                                        {"bms_alarm", firmware::kStatusBmsAlarm},
                                        {"time_unsynced", firmware::kStatusTimeUnsynced},
                                        {"master", firmware::kStatusMaster}};
constexpr Named<uint8_t> kModes[] = {
    {"self_consumption", 1}, {"eco", 2}, {"time_of_use", 3}, {"backup", 4}, {"grid_limit", 5}};
constexpr Named<uint8_t> kCommands[] = {{"set_mode", 0x10},       {"set_eco_limit", 0x11},
                                        {"set_grid_budget", 0x12}, {"set_tou_window", 0x13},
                                        {"set_relay", 0x14},       {"reset_grid_energy", 0x15},
                                        {"request_status", 0x16}};
constexpr Named<uint8_t> kAckStatuses[] = {
    {"ok", 0}, {"unknown_command", 1}, {"bad_length", 2}, {"out_of_range", 3}, {"rejected", 4}};
constexpr Named<Channel> kBmsChannels[] = {{"voltage_mV", kVoltageMv},
                                           {"current_mA", kCurrentMa},
                                           {"alarm_bits", kAlarmBits},
                                           {"temperature_dC", kTemperatureDc}};
constexpr Named<Channel> kLoadChannels[] = {
    {"grid_W", kGridW}, {"home_W", kHomeW}, {"pool_W", kPoolW}, {"heater_W", kHeaterW}, {"noise_W", kNoiseW}};
constexpr Named<StimulusKind> kFaults[] = {{"bms_timeout", StimulusKind::kBmsTimeout},
                                           {"crc_error", StimulusKind::kCrcError},
                                           {"exception", StimulusKind::kException},
                                           {"power_off", StimulusKind::kPowerOff},
                                           {"power_on", StimulusKind::kPowerOn},
                                           {"duplicate_serial", StimulusKind::kDuplicateSerial},
                                           {"time_jump", StimulusKind::kTimeJump},
                                           {"relay_welded", StimulusKind::kRelayWelded}};

template <typename T, size_t N>
std::optional<T> Lookup(JsonFields& f, const char* key, const Named<T> (&table)[N], bool required) {
  auto text = f.String(key, required);
  if (!text) return std::nullopt;
  for (const auto& entry : table) {
    if (*text == entry.name) return entry.value;
  }
  std::string names;
  for (const auto& entry : table) names += fmt::format("{}{}", names.empty() ? "" : ", ", entry.name);
  f.Fail(f.KeyPath(key), fmt::format("\"{}\" is not one of: {}", *text, names));
  return std::nullopt;
}

template <typename T, size_t N>
const char* NameOf(const Named<T> (&table)[N], T value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

class Parser {
 public:
  Parser(const nlohmann::json& doc, std::string* error) : root_(doc, "$", error) {}

  std::optional<Scenario> Parse() {
    if (!root_.ExpectObject({"name", "description", "start", "utc_offset_min", "duration", "seed", "site", "timeline",
                             "expect"})) {
      return std::nullopt;
    }
    scenario_.name = root_.String("name", false).value_or("");
    scenario_.description = root_.String("description", false).value_or("");
    if (auto start = root_.String("start", false)) ParseStart(*start);
    scenario_.site.utc_offset_min = static_cast<int16_t>(root_.Int("utc_offset_min", -720, 840, false).value_or(60));
    if (auto duration = root_.Duration("duration", true)) {
      if (*duration <= 0) root_.Fail(root_.KeyPath("duration"), "must be positive");
      scenario_.site.duration_ms = *duration;
    }
    scenario_.seed = static_cast<uint64_t>(root_.Int("seed", 0, INT64_MAX, false).value_or(1));
    if (auto site = root_.Member("site", true)) ParseSite(*site);
    if (!root_.ok()) return std::nullopt;
    if (auto timeline = root_.Array("timeline", false)) {
      for (size_t i = 0; i < timeline->value().size() && root_.ok(); ++i) ParseStimulus(timeline->Element(i));
    }
    if (auto expect = root_.Array("expect", false)) {
      for (size_t i = 0; i < expect->value().size() && root_.ok(); ++i) ParseExpectation(expect->Element(i));
    }
    if (!root_.ok()) return std::nullopt;
    std::stable_sort(scenario_.timeline.begin(), scenario_.timeline.end(),
                     [](const Stimulus& a, const Stimulus& b) { return a.at_ms < b.at_ms; });
    return std::move(scenario_);
  }

 private:
  void ParseStart(const std::string& text) {
    auto spec = ParseTimeSpec(text);
    if (auto* error = std::get_if<ParseError>(&spec); error != nullptr || std::get<TimeSpec>(spec).from_start) {
      root_.Fail(root_.KeyPath("start"), fmt::format("expected a UTC time like \"2026-11-21T04:00:00Z\", found \"{}\"", text));
      return;
    }
    scenario_.site.start_unix_s = std::get<TimeSpec>(spec).wall_ns / 1'000'000'000;
  }

  void ParseSite(JsonFields site) {
    if (!site.ExpectObject({"bridge", "gateway", "packs"})) return;
    if (site.Has("bridge")) ParseBridge(*site.Member("bridge", true));
    if (site.Has("gateway")) ParseGateway(*site.Member("gateway", true));
    auto packs = site.Array("packs", true);
    if (!packs) return;
    if (packs->value().empty() || packs->value().size() > 100) {
      site.Fail(packs->path(), "expected 1 to 100 packs");
      return;
    }
    for (size_t i = 0; i < packs->value().size() && site.ok(); ++i) ParsePack(packs->Element(i));
  }

  void ParseBridge(JsonFields bridge) {
    auto& s = scenario_.site;
    if (bridge.value().is_boolean()) {
      s.bridge = bridge.value().get<bool>();
      if (!s.bridge) s.bridge_time_every_ms = kNeverMs;
      return;
    }
    if (!bridge.ExpectObject({"heartbeat", "time", "time_every", "first_time"})) return;
    s.bridge = bridge.Bool("heartbeat", false).value_or(true);
    if (!bridge.Bool("time", false).value_or(true)) s.bridge_time_every_ms = kNeverMs;
    if (auto every = bridge.Duration("time_every", false)) {
      if (*every <= 0) bridge.Fail(bridge.KeyPath("time_every"), "must be positive");
      if (s.bridge_time_every_ms != kNeverMs) s.bridge_time_every_ms = *every;
    }
    if (auto first = bridge.Duration("first_time", false)) s.bridge_first_time_ms = std::max<int64_t>(0, *first);
  }

  void ParseGateway(JsonFields gateway) {
    if (!gateway.ExpectObject({"node", "join"})) return;
    auto& g = scenario_.site.gateway;
    g.present = true;
    g.node = static_cast<uint8_t>(gateway.Int("node", 0x02, 0x7E, false).value_or(0x7E));
    g.join_ms = std::max<int64_t>(0, gateway.Duration("join", false).value_or(0));
  }

  void ParsePack(JsonFields p) {
    if (!p.ExpectObject({"name", "serial", "device_type", "boot", "stored", "node_id", "functions", "eco_limit_W",
                         "grid_budget_kWh", "tou_window", "bms", "loads", "firmware_defects"})) {
      return;
    }
    ScenarioPack pack;
    auto& sim = pack.sim;
    sim.name = p.String("name", true).value_or("");
    for (const auto& other : scenario_.packs) {
      if (other.sim.name == sim.name) p.Fail(p.KeyPath("name"), fmt::format("\"{}\" names two packs", sim.name));
    }
    sim.serial = ParseSerial(p);
    if (p.Has("device_type")) {
      auto type = p.String("device_type", true);
      if (type && *type != "energy-pack" && *type != "energy-gateway") {
        p.Fail(p.KeyPath("device_type"), fmt::format("\"{}\" is not one of: energy-pack, energy-gateway", *type));
      }
      sim.stored.device_type = static_cast<uint8_t>(type == "energy-gateway" ? firmware::DeviceType::kEnergyGateway
                                                                               : firmware::DeviceType::kEnergyPack);
    }
    if (p.Has("boot") && p.value()["boot"] == "off") {
      sim.boot_ms = kNeverMs;
    } else {
      sim.boot_ms = std::max<int64_t>(0, p.Duration("boot", false).value_or(100LL * scenario_.packs.size()));
    }
    sim.stored.valid = p.Bool("stored", false).value_or(true);
    sim.stored.node_id = static_cast<uint8_t>(
        p.Int("node_id", firmware::kFirstAutoNodeId, firmware::kLastAutoNodeId, false)
            .value_or(firmware::NodeIdFromSerial(sim.serial)));
    if (auto functions = p.Member("functions", false)) sim.stored.modes = ParseFunctions(*functions);
    sim.stored.eco_limit_W = static_cast<uint16_t>(p.Int("eco_limit_W", 100, 25000, false).value_or(5000));
    sim.stored.grid_budget_kWh = static_cast<uint8_t>(p.Int("grid_budget_kWh", 2, 30, false).value_or(10));
    if (auto window = p.Array("tou_window", false)) ParseTouWindow(*window, &sim.stored);
    pack.initial[kVoltageMv] = 54400;
    pack.initial[kTemperatureDc] = 250;
    if (auto bms = p.Member("bms", false)) ParseChannels(*bms, kBmsChannels, &pack.initial);
    if (auto loads = p.Member("loads", false)) ParseChannels(*loads, kLoadChannels, &pack.initial);
    if (auto defects = p.Array("firmware_defects", false)) pack.field_defects = ParseDefects(*defects);
    scenario_.packs.push_back(pack);
    scenario_.site.packs.push_back(pack.sim);
  }

  uint64_t ParseSerial(JsonFields& p) {
    auto text = p.String("serial", true);
    if (!text) return 0;
    uint64_t serial = 0;
    const bool hex = text->size() == 12 && std::all_of(text->begin(), text->end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
    if (!hex) {
      p.Fail(p.KeyPath("serial"), fmt::format("expected 12 hex digits (the 48-bit eFuse MAC), found \"{}\"", *text));
      return 0;
    }
    for (char c : *text) serial = serial * 16 + static_cast<uint64_t>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10));
    return serial;
  }

  uint16_t ParseDefects(JsonFields list) {
    uint16_t bits = 0;
    for (const auto& d : list.value()) {
      // Defect 9 (flash wear) is not visible on the bus or the RS-485 line.
      if (!d.is_number_integer() || d < kFirstDefect || d > kLastDefect || d == 9) {
        list.Fail(list.path(), "expected defect numbers 1..10 from pack-behaviour.md (9, flash wear, cannot be seen)");
        return 0;
      }
      bits = static_cast<uint16_t>(bits | (1u << d.get<int>()));
    }
    return bits;
  }

  uint8_t ParseFunctions(JsonFields f) {
    if (!f.ExpectObject({"self_consumption", "eco", "time_of_use", "backup", "grid_limit"})) return 0;
    uint8_t modes = 0;
    for (const auto& mode : kModes) {
      if (f.Bool(mode.name, false).value_or(false)) modes |= static_cast<uint8_t>(1u << (mode.value - 1));
    }
    return modes;
  }

  void ParseTouWindow(JsonFields window, firmware::PackSettings* stored) {
    const auto& v = window.value();
    const bool ok = v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer() && v[0] >= 0 && v[0] <= 23 &&
                    v[1] >= 0 && v[1] <= 23 && v[0] != v[1];
    if (!ok) {
      window.Fail(window.path(), "expected [start_h, end_h], hours 0..23, start != end");
      return;
    }
    stored->tou_start_h = v[0].get<uint8_t>();
    stored->tou_end_h = v[1].get<uint8_t>();
  }

  template <size_t N>
  void ParseChannels(JsonFields f, const Named<Channel> (&table)[N], std::array<int64_t, kChannelCount>* values,
                     std::vector<std::pair<Channel, int64_t>>* targets = nullptr) {
    if (!f.value().is_object()) {
      f.Fail(f.path(), fmt::format("expected an object, found {}", JsonTypeName(f.value())));
      return;
    }
    for (const auto& [key, _] : f.value().items()) {
      const auto* entry = std::find_if(std::begin(table), std::end(table), [&](const auto& e) { return key == e.name; });
      if (entry == std::end(table)) {
        std::string names;
        for (const auto& e : table) names += fmt::format("{}{}", names.empty() ? "" : ", ", e.name);
        f.Fail(f.KeyPath(key), fmt::format("unknown key (known here: {})", names));
        return;
      }
      auto value = f.Int(entry->name, ChannelMin(entry->value), ChannelMax(entry->value), true);
      if (!value) return;
      if (values != nullptr) (*values)[entry->value] = *value;
      if (targets != nullptr) targets->emplace_back(entry->value, *value);
    }
  }

  static int64_t ChannelMin(Channel c) {
    switch (c) {
      case kCurrentMa:
        return -327'680;
      case kTemperatureDc:
        return -32'768;
      default:
        return 0;
    }
  }
  static int64_t ChannelMax(Channel c) {
    switch (c) {
      case kVoltageMv:
        return 6'553'500;
      case kCurrentMa:
        return 327'670;
      case kAlarmBits:
        return 0xFFFF;
      case kTemperatureDc:
        return 32'767;
      default:
        return 50'000;  // W: a household circuit
    }
  }

  int PackIndex(JsonFields& f, const char* key, bool required) {
    auto name = f.String(key, required);
    if (!name) return -1;
    for (size_t i = 0; i < scenario_.packs.size(); ++i) {
      if (scenario_.packs[i].sim.name == *name) return static_cast<int>(i);
    }
    f.Fail(f.KeyPath(key), fmt::format("no pack is named \"{}\"", *name));
    return -1;
  }

  void ParseStimulus(JsonFields f) {
    if (!f.ExpectObject({"at", "pack", "over", "for", "bms", "loads", "command", "time", "raw", "fault", "code", "by",
                         "serial_of", "relay", "gateway", "note"})) {
      return;
    }
    Stimulus s;
    s.path = f.path();
    s.at_ms = f.Duration("at", true).value_or(0);
    if (s.at_ms < 0) f.Fail(f.KeyPath("at"), "must not be negative");
    int actions = 0;
    for (const char* key : {"bms", "loads", "command", "time", "raw", "fault", "gateway"}) actions += f.Has(key) ? 1 : 0;
    if (actions != 1) {
      f.Fail(f.path(), "expected exactly one of: bms, loads, command, time, raw, fault, gateway");
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
    s->command = cmd.cmd;
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
    if (auto utc = t.String("utc", false)) {
      auto spec = ParseTimeSpec(*utc);
      if (std::holds_alternative<ParseError>(spec) || std::get<TimeSpec>(spec).from_start) {
        t.Fail(t.KeyPath("utc"), fmt::format("expected a UTC time like \"2026-11-21T04:00:00Z\", found \"{}\"", *utc));
      } else {
        unix_s = std::get<TimeSpec>(spec).wall_ns / 1'000'000'000;
      }
    }
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
    auto parsed = ParseCandumpLine("(0.000000) can0 " + *text);
    const auto* line = std::get_if<CandumpLine>(&parsed);
    const auto* frame_line = line != nullptr ? std::get_if<CandumpFrameLine>(line) : nullptr;
    auto frame = frame_line != nullptr ? twin::ToFirmwareFrame(frame_line->frame) : std::nullopt;
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
    if (*kind == StimulusKind::kException) s->amount = f.Int("code", 1, 255, true).value_or(4);
    if (*kind == StimulusKind::kTimeJump) s->amount = f.Duration("by", true).value_or(0);
    if (*kind == StimulusKind::kDuplicateSerial) s->amount = PackIndex(f, "serial_of", true);
    if (*kind == StimulusKind::kRelayWelded) s->amount = Lookup(f, "relay", kRelays, true).value_or(0);
    s->text = fmt::format("fault {}{}", f.value()["fault"].get<std::string>(),
                          s->pack >= 0 ? " on " + scenario_.packs[static_cast<size_t>(s->pack)].sim.name : "");
  }

  void ParseExpectation(JsonFields f) {
    if (f.Has("check")) {
      ParseCheck(f);
      return;
    }
    if (!f.ExpectObject({"at", "from", "to", "never", "pack", "relay", "closed", "status", "active", "master",
                         "soc_pct", "node_id", "ack", "note"})) {
      return;
    }
    Expectation e;
    e.path = f.path();
    if (f.Has("never")) {
      e.never = true;
      e.from_ms = f.Duration("from", false).value_or(0);
      e.to_ms = f.Duration("to", false).value_or(scenario_.site.duration_ms);
      if (f.Has("at")) f.Fail(f.KeyPath("at"), "\"never\" takes \"from\" and \"to\", not \"at\"");
      auto subject = f.Member("never", true);
      if (!subject->ExpectObject({"pack", "relay", "closed", "status", "active", "master"})) return;
      ParseSubject(*subject, &e);
    } else {
      e.at_ms = f.Duration("at", true).value_or(0);
      ParseSubject(f, &e);
    }
    scenario_.expectations.push_back(std::move(e));
  }

  void ParseSubject(JsonFields& f, Expectation* e) {
    const std::string when = e->never ? "never" : "at";
    if (f.Has("relay")) {
      e->subject = Subject::kRelay;
      e->pack = PackIndex(f, "pack", true);
      e->relay = Lookup(f, "relay", kRelays, true).value_or(0);
      e->on = f.Bool("closed", true).value_or(true);
    } else if (f.Has("status")) {
      e->subject = Subject::kStatus;
      e->pack = PackIndex(f, "pack", true);
      e->status_bit = Lookup(f, "status", kStatuses, true).value_or(0);
      e->on = f.Bool("active", true).value_or(true);
    } else if (f.Has("master")) {
      e->subject = Subject::kMaster;
      auto who = f.String("master", true).value_or("");
      e->master = who == "gateway" ? kMasterGateway : who == "none" ? kMasterNone : PackIndex(f, "master", true);
    } else if (f.Has("soc_pct") && !e->never) {
      e->subject = Subject::kSoc;
      e->pack = PackIndex(f, "pack", true);
      e->value = f.Int("soc_pct", 0, 100, true).value_or(0);
    } else if (f.Has("node_id") && !e->never) {
      e->subject = Subject::kNodeId;
      e->pack = PackIndex(f, "pack", true);
      e->value = f.Int("node_id", 1, 0x7E, true).value_or(0);
    } else if (f.Has("ack") && !e->never) {
      ParseAck(*f.Member("ack", true), e);
    } else {
      f.Fail(f.path(), e->never ? "expected one of: relay, status, master"
                                : "expected one of: relay, status, master, soc_pct, node_id, ack, check");
    }
    e->text = f.value().dump();
  }

  void ParseAck(JsonFields a, Expectation* e) {
    if (!a.ExpectObject({"from", "cmd", "seq", "status"})) return;
    e->subject = Subject::kAck;
    e->pack = PackIndex(a, "from", true);
    e->ack_cmd = a.Has("cmd") && a.value()["cmd"].is_number_integer()
                     ? static_cast<uint8_t>(a.Int("cmd", 0, 255, true).value_or(0))
                     : Lookup(a, "cmd", kCommands, true).value_or(0);
    e->ack_seq = static_cast<int>(a.Int("seq", 0, 255, false).value_or(-1));
    e->ack_status = Lookup(a, "status", kAckStatuses, false).value_or(0);
  }

  void ParseCheck(JsonFields& f) {
    if (!f.ExpectObject({"check", "note"})) return;
    auto& check = scenario_.check;
    if (check.present) f.Fail(f.path(), "a scenario has one \"check\" expectation");
    check.present = true;
    check.path = f.path();
    const auto& v = f.value()["check"];
    if (v == "clean") return;
    auto body = *f.Member("check", true);
    if (!body.ExpectObject({"reports"})) return;
    check.clean = false;
    auto rules = body.Array("reports", true);
    if (!rules) return;
    for (const auto& rule : rules->value()) {
      if (!rule.is_string()) {
        rules->Fail(rules->path(), "expected rule names like \"grid-closed-in-lockout\"");
        return;
      }
      check.rules.push_back(rule.get<std::string>());
    }
    if (check.rules.empty()) rules->Fail(rules->path(), "name at least one rule (or write \"check\": \"clean\")");
  }

  JsonFields root_;
  Scenario scenario_;
  uint8_t next_seq_ = 1;
};

}  // namespace

Result<Scenario> ParseScenario(const std::string& json_text, const std::string& source) {
  nlohmann::json doc;
  try {
    // nlohmann reports the failing byte only through its exception; it stays here.
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    return Status::Error(fmt::format("{}: not JSON at byte {}: {}", source, e.byte, e.what()));
  }
  std::string error;
  Parser parser(doc, &error);
  auto scenario = parser.Parse();
  if (!scenario) return Status::Error(fmt::format("{}: {}", source, error));
  return std::move(*scenario);
}

Result<Scenario> LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(fmt::format("{}: cannot open the scenario: {}", path, std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  auto scenario = ParseScenario(text.str(), path);
  if (scenario.ok() && scenario->name.empty()) {
    std::string stem = path.substr(path.find_last_of('/') + 1);
    scenario->name = stem.substr(0, stem.rfind(".json"));
  }
  return scenario;
}

}  // namespace packtwin::replay
