#include "packtwin/twin/state_report.h"

#include <fmt/format.h>

#include "packtwin/base/time_spec.h"
#include "packtwin/firmware/indicators.h"
#include "packtwin/firmware/protocol_v1.h"
#include "packtwin/twin/names.h"

namespace packtwin::twin {
namespace {

using Json = nlohmann::ordered_json;

char LedLetter(firmware::LedColor color) {
  switch (color) {
    case firmware::LedColor::kRed: return 'R';
    case firmware::LedColor::kGreen: return 'G';
    case firmware::LedColor::kBlue: return 'B';
    case firmware::LedColor::kYellow: return 'Y';
    case firmware::LedColor::kOff: return '.';
  }
  return '?';
}

const char* LedWord(firmware::LedColor color) {
  switch (color) {
    case firmware::LedColor::kRed: return "red";
    case firmware::LedColor::kGreen: return "green";
    case firmware::LedColor::kBlue: return "blue";
    case firmware::LedColor::kYellow: return "yellow";
    case firmware::LedColor::kOff: return "off";
  }
  return "?";
}

struct IndicatorText {
  std::string bar;     // "GGGB......"
  std::string digits;  // " 45" or "   " while blinked off
  std::string led;     // "green", "yellow (blinking)"
};

IndicatorText Indicators(const PackView& p, int64_t at_wall_ns) {
  const auto ind = firmware::ComputeIndicators({p.soc, p.p_batt_W, p.status}, TwinMs(at_wall_ns));
  IndicatorText out;
  for (auto color : ind.bar) out.bar.push_back(LedLetter(color));
  out.digits = ind.digits_on ? fmt::format("{:>3}", ind.digits_soc) : "   ";
  out.led = LedWord(ind.status_led);
  if ((p.status & firmware::kStatusEcoOverload) != 0 && ind.status_led == firmware::LedColor::kYellow) {
    out.led += " (blinking)";
  }
  return out;
}

std::vector<std::string> Functions(uint8_t modes) {
  std::vector<std::string> out;
  for (uint8_t bit = 0; bit < firmware::kModeCount; ++bit) {
    if ((modes >> bit) & 1u) out.emplace_back(ModeName(bit));
  }
  return out;
}

std::vector<std::string> Alarms(const PackView& p) {
  std::vector<std::string> out;
  for (uint8_t code = 1; code < p.alarm_active.size(); ++code) {
    if (p.alarm_active[code]) out.emplace_back(AlarmName(code));
  }
  return out;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "none" : out;
}

std::string SignedCentis(int value) {  // 5200 -> "52.00", -1250 -> "-12.50"
  const int magnitude = value < 0 ? -value : value;
  return fmt::format("{}{}.{:02}", value < 0 ? "-" : "", magnitude / 100, magnitude % 100);
}

bool Selected(uint8_t node, std::optional<uint8_t> only) { return !only || *only == node; }

}  // namespace

std::string StateAsText(const TwinState& state, int64_t at_wall_ns, std::optional<uint8_t> only_node) {
  const uint64_t now_ms = TwinMs(at_wall_ns);
  std::string out = fmt::format("state at {} (seq {}, {} events folded)\n", FormatDisplayTime(at_wall_ns), state.last_seq,
                                state.events);
  const uint8_t master = firmware::ElectMaster(state.fleet.nodes, now_ms, 0, firmware::DeviceType::kEnergyPack);
  out += fmt::format("fleet: master by the rules {}\n", master == 0 ? "none" : NodeName(master));
  for (uint8_t node = 1; node < firmware::kNodeSlots; ++node) {
    const auto& e = state.fleet.nodes.nodes[node];
    if (!e.present || !Selected(node, only_node)) continue;
    out += fmt::format("  {}  {:<14} fw {}.{}  serial {:08X}  claims {:<8} {}\n", NodeName(node),
                       DeviceTypeName(e.device_type), e.fw_major, e.fw_minor, e.serial_lo, RoleName(e.role),
                       firmware::IsLive(e, now_ms) ? "online" : "offline");
  }
  for (const auto& [node, p] : state.packs) {
    if (!Selected(node, only_node) || !p.has_batt) continue;
    const IndicatorText ind = Indicators(p, at_wall_ns);
    out += fmt::format("pack {}\n", NodeName(node));
    out += fmt::format("  soc {} %  voltage {} V  current {} A\n", p.soc, SignedCentis(p.pack_cV), SignedCentis(p.current_cA));
    out += fmt::format("  power W: grid {}  home {}  battery {}  solar {}  pool {}  heater {}\n", p.p_grid_W, p.p_home_W,
                       p.p_batt_W, p.p_solar_W, p.p_pool_W, p.p_heater_W);
    out += "  relays:";
    for (uint8_t r = 0; r < firmware::kRelayCount; ++r) {
      const bool closed = (p.relays >> r) & 1u;
      out += fmt::format(" {} {}", RelayName(r), closed ? "closed" : "open");
      if (p.relay[r].known) out += fmt::format(" ({})", CauseName(p.relay[r].cause));
      out += r + 1 < firmware::kRelayCount ? "," : "\n";
    }
    out += fmt::format("  functions: {}\n", Joined(Functions(p.modes)));
    out += fmt::format("  limits: grid budget {} kWh, eco limit {} W; grid today {} Wh\n", p.grid_budget_kWh,
                       p.eco_limit_100W * 100, p.grid_today_Wh10 * 10);
    out += fmt::format("  lockout {}  alarms: {}\n", (p.status & firmware::kStatusLockout) ? "yes" : "no", Joined(Alarms(p)));
    out += fmt::format("  indicators: bar [{}]  display [{}]  status LED {}\n", ind.bar, ind.digits, ind.led);
  }
  return out;
}

Json StateAsJson(const TwinState& state, int64_t at_wall_ns, std::optional<uint8_t> only_node) {
  const uint64_t now_ms = TwinMs(at_wall_ns);
  Json out;
  out["time"] = FormatUtc(at_wall_ns);
  out["seq"] = state.last_seq;
  out["events"] = state.events;
  const uint8_t master = firmware::ElectMaster(state.fleet.nodes, now_ms, 0, firmware::DeviceType::kEnergyPack);
  out["master"] = master == 0 ? Json(nullptr) : Json(NodeName(master));
  out["nodes"] = Json::array();
  for (uint8_t node = 1; node < firmware::kNodeSlots; ++node) {
    const auto& e = state.fleet.nodes.nodes[node];
    if (!e.present || !Selected(node, only_node)) continue;
    out["nodes"].push_back({{"node", NodeName(node)},
                            {"device_type", DeviceTypeName(e.device_type)},
                            {"firmware", fmt::format("{}.{}", e.fw_major, e.fw_minor)},
                            {"serial_lo", fmt::format("{:08X}", e.serial_lo)},
                            {"role_claimed", RoleName(e.role)},
                            {"online", firmware::IsLive(e, now_ms)}});
  }
  out["packs"] = Json::array();
  for (const auto& [node, p] : state.packs) {
    if (!Selected(node, only_node) || !p.has_batt) continue;
    const IndicatorText ind = Indicators(p, at_wall_ns);
    Json relays = Json::array();
    for (uint8_t r = 0; r < firmware::kRelayCount; ++r) {
      Json relay = {{"relay", RelayName(r)}, {"closed", ((p.relays >> r) & 1u) != 0}};
      if (p.relay[r].known) {
        relay["cause"] = CauseName(p.relay[r].cause);
        relay["changed_seq"] = p.relay[r].changed_seq;
      }
      relays.push_back(relay);
    }
    out["packs"].push_back({{"node", NodeName(node)},
                            {"soc_pct", p.soc},
                            {"voltage_cV", p.pack_cV},
                            {"current_cA", p.current_cA},
                            {"p_grid_W", p.p_grid_W},
                            {"p_home_W", p.p_home_W},
                            {"p_batt_W", p.p_batt_W},
                            {"p_solar_W", p.p_solar_W},
                            {"p_pool_W", p.p_pool_W},
                            {"p_heater_W", p.p_heater_W},
                            {"relays", relays},
                            {"functions", Functions(p.modes)},
                            {"grid_budget_kWh", p.grid_budget_kWh},
                            {"eco_limit_W", p.eco_limit_100W * 100},
                            {"grid_today_Wh", p.grid_today_Wh10 * 10},
                            {"lockout", (p.status & firmware::kStatusLockout) != 0},
                            {"alarms", Alarms(p)},
                            {"indicators", {{"bar", ind.bar}, {"display", ind.digits}, {"status_led", ind.led}}}});
  }
  return out;
}

}  // namespace packtwin::twin
