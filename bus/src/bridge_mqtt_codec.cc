#include "packtwin/bus/bridge_mqtt_codec.h"

#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>
#include <optional>

#include "packtwin/base/utf8.h"
#include "packtwin/firmware/protocol_v1.h"

namespace packtwin::bus {
namespace {

using firmware::BridgeCommand;
using firmware::BridgeCommandName;
using firmware::BridgeInvalid;
using Json = nlohmann::json;

constexpr std::array<const char*, 5> kModeNames = {"self_consumption", "eco", "time_of_use", "backup", "grid_import_limit"};
constexpr std::array<const char*, 4> kRelayNames = {"grid", "inverter", "pool_pump", "water_heater"};
constexpr std::array<const char*, 6> kStatusNames = {"lockout", "eco_overload", "bms_comm_lost", "bms_alarm", "time_unsynced", "master"};
constexpr std::array<const char*, 8> kCauseNames = {"boot", "self_consumption", "eco", "time_of_use", "backup", "lockout", "manual", "default"};
constexpr std::array<const char*, 6> kAlarmNames = {"bms_alarm_bits", "bms_comm_lost", "time_invalid", "node_id_conflict",
                                                    "eco_overload", "lockout"};
constexpr std::array<const char*, 5> kAckNames = {"OK", "UNKNOWN_COMMAND", "BAD_LENGTH", "OUT_OF_RANGE", "REJECTED"};

struct CommandSpec {
  BridgeCommandName name;
  const char* topic_name;
  std::array<const char*, 2> keys;  // the command's own keys besides id and node
};
constexpr std::array<CommandSpec, 7> kCommands = {{
    {BridgeCommandName::kMode, "mode", {"mode", "on"}},
    {BridgeCommandName::kEcoLimit, "eco_limit", {"watts", nullptr}},
    {BridgeCommandName::kGridBudget, "grid_budget", {"kwh", nullptr}},
    {BridgeCommandName::kTouWindow, "tou_window", {"start_h", "end_h"}},
    {BridgeCommandName::kRelay, "relay", {"relay", "state"}},
    {BridgeCommandName::kResetGridEnergy, "reset_grid_energy", {nullptr, nullptr}},
    {BridgeCommandName::kRequestStatus, "request_status", {nullptr, nullptr}},
}};

template <size_t N>
std::optional<uint8_t> IndexOf(const std::array<const char*, N>& names, const std::string& name) {
  for (size_t i = 0; i < N; ++i) {
    if (name == names[i]) return static_cast<uint8_t>(i);
  }
  return std::nullopt;
}

template <size_t N>
std::string Choices(const std::array<const char*, N>& names) {
  std::string out;
  for (size_t i = 0; i < N; ++i) out += (i ? ", " : "") + std::string(names[i]);
  return out;
}

// Nesting deeper than `limit` (outside strings): refused before parsing, so a
// megabyte of '[' cannot exhaust the stack of a recursive parser.
bool TooDeep(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    }
    if (c == ']' || c == '}') --depth;
  }
  return false;
}

struct Refusal {
  std::string error;  // names the key
};

BridgeInvalid Invalid(std::string_view topic, const std::optional<std::string>& id, const std::string& error) {
  BridgeInvalid invalid;
  invalid.has_id = id.has_value();
  if (id) invalid.id.Set(id->c_str());
  invalid.error.Set(error.c_str());
  const std::string topic_text(topic.substr(0, firmware::kBridgeTextMaxLen));
  invalid.topic.Set(topic_text.c_str());
  return invalid;
}

// A usable id: 1..64 printable ASCII characters.
std::optional<std::string> UsableId(const Json& payload) {
  if (!payload.is_object()) return std::nullopt;
  const auto it = payload.find("id");
  if (it == payload.end() || !it->is_string()) return std::nullopt;
  const std::string& id = it->get_ref<const std::string&>();
  if (id.empty() || id.size() > firmware::kBridgeIdMaxLen) return std::nullopt;
  for (char c : id) {
    if (c < 0x20 || c > 0x7E) return std::nullopt;
  }
  return id;
}

std::string TypeName(const Json& value) {
  if (value.is_number_float()) return "a fraction";
  return value.type_name();
}

// An integer key in [min, max].
std::optional<Refusal> Integer(const Json& payload, const char* key, int64_t min, int64_t max, int64_t* out) {
  const Json& value = payload.at(key);
  if (!value.is_number_integer()) return Refusal{fmt::format("{}: expected an integer, got {}", key, TypeName(value))};
  const int64_t v = value.is_number_unsigned() && value.get<uint64_t>() > INT64_MAX ? INT64_MAX : value.get<int64_t>();
  if (v < min || v > max) return Refusal{fmt::format("{}: {} is out of range {}..{}", key, v, min, max)};
  *out = v;
  return std::nullopt;
}

template <size_t N>
std::optional<Refusal> Named(const Json& payload, const char* key, const std::array<const char*, N>& names, uint8_t* out) {
  const Json& value = payload.at(key);
  if (!value.is_string()) return Refusal{fmt::format("{}: expected a string, got {}", key, TypeName(value))};
  const auto index = IndexOf(names, value.get<std::string>());
  if (!index) {
    return Refusal{fmt::format("{}: '{}' is not one of {}", key, value.get<std::string>().substr(0, 32), Choices(names))};
  }
  *out = *index;
  return std::nullopt;
}

std::optional<Refusal> Arguments(const CommandSpec& spec, const Json& payload, BridgeCommand* command) {
  int64_t v = 0;
  switch (spec.name) {
    case BridgeCommandName::kMode: {
      uint8_t mode = 0;
      if (auto r = Named(payload, "mode", kModeNames, &mode)) return r;
      command->mode = static_cast<uint8_t>(mode + 1);
      const Json& on = payload.at("on");
      if (!on.is_boolean()) return Refusal{fmt::format("on: expected a boolean, got {}", TypeName(on))};
      command->on = on.get<bool>();
      return std::nullopt;
    }
    case BridgeCommandName::kEcoLimit:
      if (auto r = Integer(payload, "watts", 100, 25000, &v)) return r;
      command->watts = static_cast<uint16_t>(v);
      return std::nullopt;
    case BridgeCommandName::kGridBudget:
      if (auto r = Integer(payload, "kwh", 2, 30, &v)) return r;
      command->kwh = static_cast<uint8_t>(v);
      return std::nullopt;
    case BridgeCommandName::kTouWindow:
      if (auto r = Integer(payload, "start_h", 0, 23, &v)) return r;
      command->start_h = static_cast<uint8_t>(v);
      if (auto r = Integer(payload, "end_h", 0, 23, &v)) return r;
      command->end_h = static_cast<uint8_t>(v);
      if (command->start_h == command->end_h) return Refusal{"end_h: must differ from start_h"};
      return std::nullopt;
    case BridgeCommandName::kRelay: {
      if (auto r = Named(payload, "relay", kRelayNames, &command->relay)) return r;
      uint8_t state = 0;
      constexpr std::array<const char*, 3> kStates = {"open", "closed", "clear"};
      if (auto r = Named(payload, "state", kStates, &state)) return r;
      command->relay_state = state == 2 ? firmware::kManualClear : state;
      return std::nullopt;
    }
    case BridgeCommandName::kResetGridEnergy:
    case BridgeCommandName::kRequestStatus:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Refusal> Fields(const CommandSpec& spec, const Json& payload, BridgeCommand* command) {
  for (const auto& [key, value] : payload.items()) {
    const bool known = key == "id" || key == "node" || (spec.keys[0] && key == spec.keys[0]) || (spec.keys[1] && key == spec.keys[1]);
    if (!known) return Refusal{fmt::format("{}: not a key of {}", key.substr(0, 32), spec.topic_name)};
  }
  for (const char* key : spec.keys) {
    if (key != nullptr && !payload.contains(key)) return Refusal{fmt::format("{}: missing", key)};
  }
  if (payload.contains("node")) {
    int64_t node = 0;
    if (auto r = Integer(payload, "node", firmware::kFirstNodeId, firmware::kLastNodeId, &node)) return r;
    command->node = static_cast<uint8_t>(node);
  }
  return Arguments(spec, payload, command);
}

std::string NodeHex(uint8_t node) { return fmt::format("{:02X}", node); }

Json Bits(uint8_t bits, const char* const* names, size_t count) {
  Json out = Json::array();
  for (size_t i = 0; i < count; ++i) {
    if (bits & (1u << i)) out.push_back(names[i]);
  }
  return out;
}

template <size_t N>
const char* NameOr(const std::array<const char*, N>& names, size_t index, const char* fallback) {
  return index < N ? names[index] : fallback;
}

Json ResultJson(const firmware::BridgeResult& result) {
  Json out;
  out["id"] = result.has_id ? Json(std::string(result.id.text, result.id.len)) : Json(nullptr);
  if (result.status == firmware::BridgeResultStatus::kInvalid) {
    out["status"] = "invalid";
    out["error"] = std::string(result.error.text, result.error.len);
    if (!result.has_id) out["topic"] = std::string(result.topic.text, result.topic.len);
    return out;
  }
  out["seq"] = result.seq;
  out["status"] = ResultStatusName(result.status);
  Json acks = Json::object();
  Json missing = Json::array();
  for (uint8_t node = 0; node < firmware::kNodeSlots; ++node) {
    if (result.ack[node] != 0) acks[NodeHex(node)] = NameOr(kAckNames, result.ack[node] - 1u, "UNKNOWN_STATUS");
    if (result.expected.Has(node) && result.ack[node] == 0) missing.push_back(NodeHex(node));
  }
  out["acks"] = acks;
  out["missing"] = missing;
  if (result.error.len > 0) out["error"] = std::string(result.error.text, result.error.len);
  return out;
}

}  // namespace

const char* CommandName(BridgeCommandName name) {
  for (const auto& spec : kCommands) {
    if (spec.name == name) return spec.topic_name;
  }
  return "unknown";
}

const char* ResultStatusName(firmware::BridgeResultStatus status) {
  switch (status) {
    case firmware::BridgeResultStatus::kOk:
      return "ok";
    case firmware::BridgeResultStatus::kPartial:
      return "partial";
    case firmware::BridgeResultStatus::kFailed:
      return "failed";
    case firmware::BridgeResultStatus::kInvalid:
      return "invalid";
  }
  return "unknown";
}

// The result topic sits under the commands' wildcard (bridge-mqtt.md): it is
// the bridge's own publication coming back, never a command.
void ToStoredMqtt(const MqttMessageOut& message, v1::Direction direction, const std::string& client, v1::MqttMessage* out) {
  out->set_topic(message.topic);
  out->set_payload(message.payload);
  out->set_qos(static_cast<uint32_t>(message.qos));
  out->set_retained(message.retained);
  out->set_direction(direction);
  out->set_client(client);
}

bool IsCommandTopic(std::string_view topic) { return topic.rfind(kCommandTopicPrefix, 0) == 0 && topic != kResultTopic; }

DecodedCommand DecodeAppCommand(std::string_view topic, std::string_view payload) {
  if (!IsCommandTopic(topic)) return Invalid(topic, std::nullopt, "not a command topic (alfaspark/commands/<name>)");
  const std::string_view name = topic.substr(std::string_view(kCommandTopicPrefix).size());
  const CommandSpec* spec = nullptr;
  for (const auto& s : kCommands) {
    if (name == s.topic_name) spec = &s;
  }
  if (payload.size() > kMaxCommandPayloadBytes) {
    return Invalid(topic, std::nullopt, fmt::format("payload: {} bytes; a command is at most {}", payload.size(), kMaxCommandPayloadBytes));
  }
  if (const size_t bad = FirstBadUtf8(payload); bad != std::string_view::npos) {
    return Invalid(topic, std::nullopt, fmt::format("payload: not UTF-8 (byte {})", bad));
  }
  if (TooDeep(payload, kMaxCommandJsonDepth)) {
    return Invalid(topic, std::nullopt, fmt::format("payload: nested deeper than {}", kMaxCommandJsonDepth));
  }
  Json json = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Invalid(topic, std::nullopt, "payload: not JSON");
  if (!json.is_object()) return Invalid(topic, std::nullopt, fmt::format("payload: expected a JSON object, got {}", TypeName(json)));
  const std::optional<std::string> id = UsableId(json);
  if (!id) {
    const bool present = json.contains("id");
    return Invalid(topic, std::nullopt, present ? "id: expected 1 to 64 printable ASCII characters" : "id: missing");
  }
  if (spec == nullptr) return Invalid(topic, id, fmt::format("'{}' is not a command", std::string(name.substr(0, 32))));
  BridgeCommand command;
  command.name = spec->name;
  command.id.Set(id->c_str());
  if (auto refused = Fields(*spec, json, &command)) return Invalid(topic, id, refused->error);
  return command;
}

MqttMessageOut EncodeAppCommand(const BridgeCommand& command) {
  Json out;
  out["id"] = std::string(command.id.text, command.id.len);
  if (command.node != firmware::kBroadcastNodeId) out["node"] = command.node;
  switch (command.name) {
    case BridgeCommandName::kMode:
      out["mode"] = NameOr(kModeNames, command.mode - 1u, "unknown");
      out["on"] = command.on;
      break;
    case BridgeCommandName::kEcoLimit:
      out["watts"] = command.watts;
      break;
    case BridgeCommandName::kGridBudget:
      out["kwh"] = command.kwh;
      break;
    case BridgeCommandName::kTouWindow:
      out["start_h"] = command.start_h;
      out["end_h"] = command.end_h;
      break;
    case BridgeCommandName::kRelay:
      out["relay"] = NameOr(kRelayNames, command.relay, "unknown");
      out["state"] = command.relay_state == firmware::kManualClear ? "clear" : (command.relay_state ? "closed" : "open");
      break;
    case BridgeCommandName::kResetGridEnergy:
    case BridgeCommandName::kRequestStatus:
      break;
  }
  return {std::string(kCommandTopicPrefix) + CommandName(command.name), out.dump(), false, 1};
}

MqttMessageOut EncodePublication(const firmware::BridgePublication& p) {
  using firmware::BridgeTopic;
  Json out;
  std::string topic;
  switch (p.topic) {
    case BridgeTopic::kTelemetry: {
      topic = "alfaspark/" + NodeHex(p.node) + "/telemetry";
      out = {{"node", p.node},
             {"soc_pct", p.batt.soc},
             {"pack_mV", p.batt.pack_cV * 10},
             {"current_mA", p.batt.current_cA * 10},
             {"p_grid_W", p.power.p_grid_W},
             {"p_home_W", p.power.p_home_W},
             {"p_batt_W", p.power.p_batt_W},
             {"p_solar_W", p.power.p_solar_W},
             {"p_pool_W", p.loads.p_pool_W},
             {"p_heater_W", p.loads.p_heater_W},
             {"grid_today_Wh", p.loads.grid_today_Wh10 * 10},
             {"grid_budget_kWh", p.loads.grid_budget_kWh},
             {"eco_limit_W", p.loads.eco_limit_100W * 100}};
      Json relays;
      for (size_t i = 0; i < kRelayNames.size(); ++i) relays[kRelayNames[i]] = ((p.batt.relays >> i) & 1u) != 0;
      out["relays"] = relays;
      out["modes"] = Bits(p.batt.modes, kModeNames.data(), kModeNames.size());
      out["status"] = Bits(p.batt.status, kStatusNames.data(), kStatusNames.size());
      break;
    }
    case BridgeTopic::kRelay:
      topic = "alfaspark/" + NodeHex(p.node) + "/relay";
      out = {{"node", p.node},
             {"relay", NameOr(kRelayNames, p.relay.relay, "unknown")},
             {"closed", p.relay.closed != 0},
             {"cause", NameOr(kCauseNames, p.relay.cause, "unknown")}};
      break;
    case BridgeTopic::kAlarm:
      topic = "alfaspark/" + NodeHex(p.node) + "/alarm";
      out = {{"node", p.node},
             {"alarm", NameOr(kAlarmNames, p.alarm.code - 1u, "unknown")},
             {"active", p.alarm.active != 0},
             {"bms_alarm_bits", p.alarm.bms_alarm_bits},
             {"temp_dC", p.alarm.temp_dC}};
      break;
    case BridgeTopic::kInfo:
      topic = "alfaspark/" + NodeHex(p.node) + "/info";
      out = {{"node", p.node},
             {"device_type", p.info.device_type},
             {"fw", fmt::format("{}.{}", p.info.fw_major, p.info.fw_minor)},
             {"serial_lo", p.info.serial_lo},
             {"role", p.info.role},
             {"online", p.online}};
      break;
    case BridgeTopic::kMaster:
      topic = "alfaspark/master";
      out["node"] = p.master == 0 ? Json(nullptr) : Json(p.master);
      break;
    case BridgeTopic::kAggregate:
      topic = "alfaspark/aggregate";
      out = {{"master", p.master},
             {"packs_online", p.aggregate.packs_online},
             {"avg_soc_pct", p.aggregate.avg_soc},
             {"p_batt_total_W", p.aggregate.p_batt_total_10W * 10},
             {"p_solar_total_W", p.aggregate.p_solar_total_10W * 10},
             {"grid_today_total_Wh", p.aggregate.grid_today_total_100Wh * 100}};
      break;
    case BridgeTopic::kResult:
      return {"alfaspark/commands/result", ResultJson(p.result).dump(), false, 1};
    case BridgeTopic::kStatus:
      return {kBridgeStatusTopic, p.online ? "online" : "offline", true, 1};
  }
  out["ts_ms"] = p.ts_ms;
  return {topic, out.dump(), p.retained, 1};
}

}  // namespace packtwin::bus
