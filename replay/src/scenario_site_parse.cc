// $.site of a scenario: the bridge, an optional gateway and the packs with
// their stored settings, BMS values and loads.
#include <fmt/format.h>

#include <algorithm>

#include <cctype>

#include "field_defects.h"
#include "packtwin/firmware/pack_state.h"
#include "scenario_names.h"
#include "scenario_parsers.h"

namespace packtwin::replay {
namespace {

class SiteParser {
 public:
  explicit SiteParser(Scenario& scenario) : scenario_(scenario) {}

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
    if (!bridge.ExpectObject({"heartbeat", "time", "time_every", "first_time", "mqtt", "defects"})) return;
    scenario_.mqtt_bridge = bridge.Bool("mqtt", false).value_or(false);
    if (auto defects = bridge.Array("defects", false)) {
      if (!scenario_.mqtt_bridge) bridge.Fail(bridge.KeyPath("defects"), "bridge defects need \"mqtt\": true");
      for (size_t i = 0; i < defects->value().size(); ++i) {
        const auto& d = defects->value()[i];
        if (!d.is_number_integer() || d.get<int64_t>() < 1 || d.get<int64_t>() > 5) {
          defects->Fail(defects->Element(i).path(), "expected a bridge 1.0 defect number 1..5 (bridge-mqtt.md)");
          return;
        }
        scenario_.bridge_defects = static_cast<uint8_t>(scenario_.bridge_defects | (1u << (d.get<int64_t>() - 1)));
      }
    }
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

 private:
  int PackIndex(JsonFields& f, const char* key, bool required) { return replay::PackIndex(scenario_, f, key, required); }

  Scenario& scenario_;
};

}  // namespace

int PackIndex(const Scenario& scenario, JsonFields& f, const char* key, bool required) {
  auto name = f.String(key, required);
  if (!name) return -1;
  for (size_t i = 0; i < scenario.packs.size(); ++i) {
    if (scenario.packs[i].sim.name == *name) return static_cast<int>(i);
  }
  f.Fail(f.KeyPath(key), fmt::format("no pack is named \"{}\"", *name));
  return -1;
}

void ParseSite(JsonFields site, Scenario* scenario) { SiteParser(*scenario).ParseSite(site); }

}  // namespace packtwin::replay
