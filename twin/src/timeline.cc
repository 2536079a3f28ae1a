#include "packtwin/twin/timeline.h"

#include <fmt/format.h>

#include "packtwin/base/time_spec.h"
#include "packtwin/base/utf8.h"
#include "packtwin/firmware/protocol_v1.h"
#include "packtwin/twin/names.h"

namespace packtwin::twin {
namespace {

using Json = nlohmann::ordered_json;

Json NodeJson(uint8_t node) { return node == 0 ? Json(nullptr) : Json(NodeName(node)); }

std::string CommandArgsText(const firmware::CommandFrame& c) {
  switch (static_cast<firmware::Command>(c.cmd)) {
    case firmware::Command::kSetMode:
      if (c.args_len == 2) return fmt::format(" {} {}", ModeName(static_cast<uint8_t>(c.args[0] - 1)), c.args[1] ? "on" : "off");
      break;
    case firmware::Command::kSetEcoLimit:
      if (c.args_len == 2) return fmt::format(" {} W", c.args[0] | (c.args[1] << 8));
      break;
    case firmware::Command::kSetGridBudget:
      if (c.args_len == 1) return fmt::format(" {} kWh", c.args[0]);
      break;
    case firmware::Command::kSetTouWindow:
      if (c.args_len == 2) return fmt::format(" {:02}:00-{:02}:00", c.args[0], c.args[1]);
      break;
    case firmware::Command::kSetRelay:
      if (c.args_len == 2) {
        return fmt::format(" {} {}", RelayName(c.args[0]),
                           c.args[1] == firmware::kManualClear ? "clear" : c.args[1] ? "closed" : "open");
      }
      break;
    default:
      break;
  }
  return "";
}

std::string CommandText(const firmware::CommandFrame& c) {
  const std::string to = c.node == firmware::kBroadcastNodeId ? "all packs" : NodeName(c.node);
  return fmt::format("command {}{} (seq {}) to {}", CommandName(c.cmd), CommandArgsText(c), c.seq, to);
}

std::string LimitText(const Change& c) {
  return c.limit == LimitKind::kGridBudget ? fmt::format("grid budget {} -> {} kWh", c.before, c.after)
                                           : fmt::format("eco limit {} -> {} W", c.before, c.after);
}

// "mqtt in alfaspark/commands/mode {"id":"a1","mode":"eco","on":true}": the
// payload as text up to 120 characters, or its size when it is not UTF-8.
std::string MqttText(const Change& c) {
  constexpr size_t kShown = 120;
  const char* direction = c.mqtt_out ? "out" : "in";
  const std::string& payload = c.mqtt_payload;
  std::string body;
  if (FirstBadUtf8(payload) != std::string_view::npos) {
    body = fmt::format("({} bytes, not UTF-8)", payload.size());
  } else if (payload.size() > kShown) {
    body = payload.substr(0, kShown) + fmt::format("... ({} bytes)", payload.size());
  } else {
    body = payload;
  }
  return fmt::format("mqtt {} {}{} {}", direction, c.mqtt_topic, c.mqtt_retained ? " (retained)" : "", body);
}

}  // namespace

const char* ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kRelay: return "relay";
    case ChangeKind::kFunction: return "function";
    case ChangeKind::kLimit: return "limit";
    case ChangeKind::kLockout: return "lockout";
    case ChangeKind::kMaster: return "master";
    case ChangeKind::kNodeJoined: return "join";
    case ChangeKind::kNodeLeft: return "leave";
    case ChangeKind::kAlarm: return "alarm";
    case ChangeKind::kCommand: return "command";
    case ChangeKind::kAck: return "ack";
    case ChangeKind::kTime: return "time";
    case ChangeKind::kDuplicateId: return "duplicate-id";
    case ChangeKind::kTwoMasters: return "two-masters";
    case ChangeKind::kMqtt: return "mqtt";
  }
  return "unknown";
}

std::string ChangeText(const Change& c) {
  switch (c.kind) {
    case ChangeKind::kRelay:
      return fmt::format("relay {} {} ({})", RelayName(c.relay), c.closed ? "closed" : "opened", CauseName(c.cause));
    case ChangeKind::kFunction:
      return fmt::format("{} switched {}", ModeName(c.mode_bit), c.on ? "on" : "off");
    case ChangeKind::kLimit:
      return LimitText(c);
    case ChangeKind::kLockout:
      return c.on ? "grid import lockout began" : "grid import lockout ended";
    case ChangeKind::kMaster:
      return c.node == 0 ? std::string("no master: no live pack or gateway")
                         : fmt::format("master by the rules is now {}", NodeName(c.node));
    case ChangeKind::kNodeJoined:
      return fmt::format("node {} joined: {} firmware {}.{} serial {:08X} ({})", NodeName(c.node),
                         DeviceTypeName(c.device_type), c.fw_major, c.fw_minor, c.serial, RoleName(c.role));
    case ChangeKind::kNodeLeft:
      return fmt::format("node {} left: no heartbeat for more than 120 s", NodeName(c.node));
    case ChangeKind::kAlarm:
      return fmt::format("alarm {} {}", AlarmName(c.alarm), c.on ? "raised" : "cleared");
    case ChangeKind::kCommand:
      return CommandText(c.command) + (c.app_id.empty() ? "" : fmt::format(" for app command '{}'", c.app_id));
    case ChangeKind::kAck:
      return fmt::format("ACK {} (seq {}): {}{}", CommandName(c.ack.cmd), c.ack.seq, AckStatusName(c.ack.status),
                         c.app_id.empty() ? "" : fmt::format(" (app command '{}')", c.app_id));
    case ChangeKind::kTime:
      return fmt::format("time {} (UTC offset {:+} min) from {}",
                         FormatUtc(static_cast<int64_t>(c.time.unix_s) * 1'000'000'000), c.time.utc_offset_min,
                         NodeName(c.time.node));
    case ChangeKind::kDuplicateId:
      return fmt::format("duplicate node id {}: serials {:08X} and {:08X}", NodeName(c.node), c.serial, c.other_serial);
    case ChangeKind::kTwoMasters:
      return fmt::format("two masters: {} and {} both act as master", NodeName(c.node), NodeName(c.other));
    case ChangeKind::kMqtt:
      return MqttText(c);
  }
  return "";
}

Json ChangeAsJson(const Change& c) {
  Json out = {{"seq", c.seq}, {"time", FormatUtc(c.wall_ns)}, {"node", NodeJson(c.node)}, {"kind", ChangeKindName(c.kind)}};
  switch (c.kind) {
    case ChangeKind::kRelay:
      out["relay"] = RelayName(c.relay);
      out["closed"] = c.closed;
      out["cause"] = CauseName(c.cause);
      break;
    case ChangeKind::kFunction:
      out["function"] = ModeName(c.mode_bit);
      out["on"] = c.on;
      break;
    case ChangeKind::kLimit:
      out["limit"] = c.limit == LimitKind::kGridBudget ? "grid_budget_kWh" : "eco_limit_W";
      out["before"] = c.before;
      out["after"] = c.after;
      break;
    case ChangeKind::kLockout:
      out["lockout"] = c.on;
      break;
    case ChangeKind::kMaster:
      out["master"] = NodeJson(c.node);
      break;
    case ChangeKind::kNodeJoined:
      out["device_type"] = DeviceTypeName(c.device_type);
      out["firmware"] = fmt::format("{}.{}", c.fw_major, c.fw_minor);
      out["serial_lo"] = fmt::format("{:08X}", c.serial);
      out["role"] = RoleName(c.role);
      break;
    case ChangeKind::kNodeLeft:
      break;
    case ChangeKind::kAlarm:
      out["alarm"] = AlarmName(c.alarm);
      out["raised"] = c.on;
      break;
    case ChangeKind::kCommand:
      out["command"] = CommandName(c.command.cmd);
      out["to"] = c.command.node == firmware::kBroadcastNodeId ? Json("all") : Json(NodeName(c.command.node));
      out["command_seq"] = c.command.seq;
      if (!c.app_id.empty()) out["app_id"] = c.app_id;
      out["args"] = Json::array();
      for (uint8_t i = 0; i < c.command.args_len && i < sizeof c.command.args; ++i) out["args"].push_back(c.command.args[i]);
      break;
    case ChangeKind::kAck:
      out["command"] = CommandName(c.ack.cmd);
      out["command_seq"] = c.ack.seq;
      out["status"] = AckStatusName(c.ack.status);
      if (!c.app_id.empty()) out["app_id"] = c.app_id;
      break;
    case ChangeKind::kTime:
      out["unix_s"] = c.time.unix_s;
      out["utc_offset_min"] = c.time.utc_offset_min;
      out["from"] = NodeName(c.time.node);
      break;
    case ChangeKind::kDuplicateId:
      out["serials_lo"] = {fmt::format("{:08X}", c.serial), fmt::format("{:08X}", c.other_serial)};
      break;
    case ChangeKind::kTwoMasters:
      out["other"] = NodeName(c.other);
      break;
    case ChangeKind::kMqtt:
      out["topic"] = c.mqtt_topic;
      out["direction"] = c.mqtt_out ? "out" : "in";
      out["retained"] = c.mqtt_retained;
      if (FirstBadUtf8(c.mqtt_payload) == std::string_view::npos) {
        out["payload"] = c.mqtt_payload;
      } else {
        out["payload_bytes"] = c.mqtt_payload.size();
      }
      break;
  }
  out["text"] = ChangeText(c);
  return out;
}

}  // namespace packtwin::twin
