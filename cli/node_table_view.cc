#include "node_table_view.h"

#include <fmt/format.h>

#include "packtwin/base/counted.h"
#include "packtwin/base/hex.h"
#include "packtwin/firmware/can_v1_id.h"
#include "packtwin/twin/frame_signals.h"

namespace packtwin::cli {
namespace {

// "G I P H": the closed relays' letters, '-' for open ones.
std::string Relays(const std::map<std::string, std::string>& v) {
  std::string out;
  const char* names[] = {"relay_grid", "relay_inverter_output", "relay_pool_pump", "relay_water_heater"};
  const char letters[] = {'G', 'I', 'P', 'H'};
  for (size_t i = 0; i < 4; ++i) {
    auto found = v.find(names[i]);
    out += found == v.end() ? '?' : found->second == "closed" ? letters[i] : '-';
  }
  return out;
}

std::string Flags(const std::map<std::string, std::string>& v, std::initializer_list<std::pair<const char*, const char*>> flags) {
  std::string out;
  for (const auto& [signal, shown] : flags) {
    auto found = v.find(signal);
    if (found != v.end() && found->second == "yes") out += (out.empty() ? "" : ",") + std::string(shown);
  }
  return out.empty() ? "-" : out;
}

std::string Get(const std::map<std::string, std::string>& v, const char* name) {
  auto found = v.find(name);
  return found == v.end() ? "?" : found->second;
}

std::string Age(int64_t now_ns, int64_t then_ns) {
  const double seconds = static_cast<double>(now_ns - then_ns) / 1e9;
  return seconds < 0 ? "0.0s" : fmt::format("{:.1f}s", seconds);
}

}  // namespace

void NodeTableView::Update(const v1::Event& event) {
  if (event.has_modbus()) ++modbus_;
  if (event.has_mqtt()) ++mqtt_;
  if (!event.has_can_frame()) return;
  const auto& frame = event.can_frame();
  nlohmann::ordered_json described = nlohmann::ordered_json::object();
  twin::DescribeFrame(event, described);
  Id& id = ids_[{frame.channel(), frame.id() | (frame.extended() ? 0x80000000u : 0u)}];
  if (id.count > 0) id.period_ns = event.wall_time_ns() - id.last_ns;
  ++id.count;
  id.last_ns = event.wall_time_ns();
  id.channel = interfaces_.For(frame.channel());
  id.data = HexBytes(frame.data(), " ");
  id.name = described.contains("name") ? described["name"].get<std::string>() : "";
  if (!described.contains("signals")) return;
  const auto v1_id = firmware::ClassifyCanV1Id(frame.id(), frame.extended(), frame.rtr(), frame.error());
  // COMMAND frames name their addressee, not a sender: they do not describe a node.
  if (!v1_id.valid || v1_id.function == firmware::CanFunction::kCommand) return;
  Node& node = nodes_[v1_id.node];
  node.last_ns = event.wall_time_ns();
  ++node.frames;
  const auto& values = described.contains("values") ? described["values"] : nlohmann::ordered_json::object();
  for (const auto& [name, value] : described["signals"].items()) {
    node.values[name] = values.contains(name) ? values[name].get<std::string>() : value.dump();
  }
}

std::string NodeTableView::Render(int64_t now_ns, size_t max_ids) const {
  std::string out = fmt::format("packtwin monitor: {}, {}, {}, {}  (Ctrl-C stops)\n\n", Counted(nodes_.size(), "node"),
                                Counted(ids_.size(), "CAN id"), Counted(modbus_, "Modbus exchange"),
                                Counted(mqtt_, "MQTT message"));
  out += fmt::format("{:<5} {:<9} {:>4} {:>7} {:>8} {:>7} {:>7} {:>7} {:<6} {:<22} {:<28} {:>7} {:>6}\n", "node", "role",
                     "SOC%", "pack_V", "current_A", "grid_W", "batt_W", "solar_W", "relays", "modes", "status", "frames",
                     "age");
  for (const auto& [id, node] : nodes_) {
    const auto& v = node.values;
    out += fmt::format(
        "0x{:02X}  {:<9} {:>4} {:>7} {:>8} {:>7} {:>7} {:>7} {:<6} {:<22} {:<28} {:>7} {:>6}\n", id, Get(v, "role"),
        Get(v, "soc_pct"), Get(v, "pack_V"), Get(v, "current_A"), Get(v, "p_grid_W"), Get(v, "p_batt_W"),
        Get(v, "p_solar_W"), Relays(v),
        Flags(v, {{"mode_self_consumption", "self"}, {"mode_eco", "eco"}, {"mode_time_of_use", "tou"},
                  {"mode_backup", "backup"}, {"mode_grid_limit", "limit"}}),
        Flags(v, {{"is_master", "master"}, {"lockout", "LOCKOUT"}, {"eco_overload", "eco_overload"},
                  {"bms_comm_lost", "bms_lost"}, {"bms_alarm", "bms_alarm"}, {"time_unsynced", "unsynced"}}),
        node.frames, Age(now_ns, node.last_ns));
  }
  out += fmt::format("\n{:<10} {:>9} {:<10} {:>8} {:>9}  {}\n", "channel", "id", "frame", "count", "period", "data");
  size_t shown = 0;
  for (const auto& [key, id] : ids_) {
    if (shown++ == max_ids) {
      out += fmt::format("... {} more ids\n", ids_.size() - max_ids);
      break;
    }
    const uint32_t raw = key.second & 0x1FFFFFFF;
    const bool extended = (key.second & 0x80000000u) != 0;
    out += fmt::format("{:<10} {:>9} {:<10} {:>8} {:>9}  {}\n", id.channel,
                       extended ? fmt::format("{:08X}", raw) : fmt::format("{:03X}", raw), id.name.empty() ? "-" : id.name,
                       id.count, id.period_ns > 0 ? fmt::format("{:.3f}s", static_cast<double>(id.period_ns) / 1e9) : "-",
                       id.data);
  }
  return out;
}

}  // namespace packtwin::cli
