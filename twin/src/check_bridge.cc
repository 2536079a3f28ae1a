// The bridge's rules (bridge-mqtt.md): an app command on the broker goes on
// CAN within 100 ms, as the frame a correct bridge sends, once per id in 60 s;
// a refused command never reaches CAN; TIME at least every 65 s while the
// bridge is on the bus; telemetry and aggregate publications say what the CAN
// frames they came from said.
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <variant>

#include "check_family.h"
#include "packtwin/bus/bridge_mqtt_codec.h"
#include "packtwin/firmware/bridge_reducer.h"
#include "packtwin/twin/names.h"

namespace packtwin::twin::check {
namespace {

constexpr int64_t kOnCanWithinNs = 100 * kNsPerMs;
constexpr int64_t kGiveUpNs = 2'500 * kNsPerMs;  // later than this is no longer an answer to it
constexpr int64_t kIdMemoryNs = 60'000 * kNsPerMs;
constexpr int64_t kTimeEveryNs = 65'000 * kNsPerMs;
constexpr int64_t kBridgeHeardNs = 120'000 * kNsPerMs;  // a bridge heartbeat this recent: online

// A command on CAN, for judging its result: the packs the app addressed that
// were live when it went, and the ACKs the bus carried for it.
struct SentCommand {
  uint8_t cmd = 0;
  uint8_t seq = 0;
  int64_t wall_ns = 0;
  uint64_t frame_seq = 0;
  std::vector<uint8_t> expected;
  std::map<uint8_t, uint8_t> acks;  // node -> AckStatus
};

struct AwaitedCommand {
  std::string id;
  firmware::CommandFrame expected;
  bool redelivery = false;  // its id was forwarded within 60 s: it must not go on CAN
  bool invalid = false;     // refused by the decoder: it must not go on CAN
  int64_t wall_ns = 0;
  uint64_t seq = 0;
};

std::string FrameText(const firmware::CommandFrame& f) {
  std::string args;
  for (uint8_t i = 0; i < f.args_len && i < sizeof f.args; ++i) args += fmt::format("{}{:02X}", i ? " " : "", f.args[i]);
  return fmt::format("{} [{}] to {}", CommandName(f.cmd), args,
                     f.node == firmware::kBroadcastNodeId ? std::string("all packs") : NodeName(f.node));
}

class BridgeFamily : public CheckFamily {
 public:
  explicit BridgeFamily(CheckContext& context) : context_(context) {}

  void OnEvent(const TypedEvent& typed, const TwinState& state) override {
    Expire(typed.wall_ns);
    if (typed.mqtt != nullptr) OnMqtt(typed, *typed.mqtt, state);
    if (!typed.frame || !typed.id.valid) return;
    if (const auto* command = typed.As<firmware::CommandFrame>()) OnCommandFrame(typed, *command, state);
    if (const auto* ack = typed.As<firmware::AckFrame>()) OnAck(typed, *ack);
    if (const auto* hb = typed.As<firmware::HeartbeatFrame>()) {
      if (hb->device_type == static_cast<uint8_t>(firmware::DeviceType::kBridge)) OnBridgeHeard(typed);
    }
    if (typed.As<firmware::TimeFrame>() != nullptr) last_time_ns_ = typed.wall_ns;
    if (const auto* batt = typed.As<firmware::TelBattFrame>()) batt_[batt->node] = *batt;
    if (const auto* fleet = typed.As<firmware::FleetFrame>()) fleet_[fleet->node] = *fleet;
  }

  void Finish(int64_t end_ns) override {
    Expire(end_ns + kGiveUpNs + 1);
    CheckTime(end_ns);
  }

 private:
  void OnBridgeHeard(const TypedEvent& typed) {
    if (!bridge_heard_ns_ || typed.wall_ns - *bridge_heard_ns_ > kBridgeHeardNs) {
      // Online (again): TIME is due from now.
      if (!last_time_ns_ || *last_time_ns_ < typed.wall_ns - kTimeEveryNs) last_time_ns_ = typed.wall_ns;
    }
    bridge_heard_ns_ = typed.wall_ns;
    bridge_node_ = static_cast<uint8_t>(typed.id.node);
  }

  // No TIME for more than 65 s while the bridge was heard on the bus. Judged
  // once the log holds the bridge's MQTT side: a CAN-only capture may come
  // from a site whose bridge predates contract v1 (the simulator's bridge
  // sends TIME at the interval a scenario gives it).
  void CheckTime(int64_t now_ns) {
    if (!bridge_heard_ns_ || !last_time_ns_ || !mqtt_seen_) return;
    const int64_t online_until = *bridge_heard_ns_ + kBridgeHeardNs;
    const int64_t until = std::min(now_ns, online_until);
    if (until - *last_time_ns_ <= kTimeEveryNs) return;
    context_.flag(*last_time_ns_ + kTimeEveryNs, bridge_node_, "bridge-time-missing", "a TIME frame at least every 60 s",
                  fmt::format("no TIME for {} s while the bridge was on the bus", (until - *last_time_ns_) / 1'000'000'000), {});
    last_time_ns_ = until;  // one finding per silence
  }

  void OnMqtt(const TypedEvent& typed, const v1::MqttMessage& m, const TwinState& state) {
    mqtt_seen_ = true;
    CheckTime(typed.wall_ns);
    if (bus::IsCommandTopic(m.topic())) {
      OnAppCommand(typed, m);
      return;
    }
    OnPublication(typed, m, state);
  }

  void OnAppCommand(const TypedEvent& typed, const v1::MqttMessage& m) {
    const bus::DecodedCommand decoded = bus::DecodeAppCommand(m.topic(), m.payload());
    AwaitedCommand awaited;
    awaited.wall_ns = typed.wall_ns;
    awaited.seq = typed.seq;
    if (const auto* command = std::get_if<firmware::BridgeCommand>(&decoded)) {
      awaited.id.assign(command->id.text, command->id.len);
      awaited.expected = firmware::BridgeCommandFrame(*command);
      const auto seen = forwarded_.find(awaited.id);
      awaited.redelivery = seen != forwarded_.end() && typed.wall_ns - seen->second <= kIdMemoryNs;
      if (!awaited.redelivery) forwarded_[awaited.id] = typed.wall_ns;
    } else {
      awaited.invalid = true;
    }
    awaited_.push_back(std::move(awaited));
  }

  void OnAck(const TypedEvent& typed, const firmware::AckFrame& ack) {
    for (auto& [id, sent] : sent_) {
      if (sent.cmd == ack.cmd && sent.seq == ack.seq && typed.wall_ns - sent.wall_ns <= kGiveUpNs) sent.acks.emplace(ack.node, ack.status);
    }
  }

  void Remember(const AwaitedCommand& awaited, const TypedEvent& typed, const firmware::CommandFrame& frame, const TwinState& state) {
    SentCommand sent;
    sent.cmd = frame.cmd;
    sent.seq = frame.seq;
    sent.wall_ns = typed.wall_ns;
    sent.frame_seq = typed.seq;
    const uint8_t addressee = awaited.expected.node;  // the app's intent: all packs, or one
    for (uint8_t node = firmware::kFirstNodeId; node <= firmware::kLastNodeId; ++node) {
      const auto& e = firmware::EntryOf(state.fleet.nodes, node);
      const bool pack = e.device_type == static_cast<uint8_t>(firmware::DeviceType::kEnergyPack);
      if (pack && firmware::IsLive(e, TwinMs(typed.wall_ns)) && (addressee == firmware::kBroadcastNodeId || addressee == node)) {
        sent.expected.push_back(node);
      }
    }
    sent_[awaited.id] = std::move(sent);
  }

  // The published result against the ACKs the bus carried for its command.
  void OnResult(const TypedEvent& typed, const nlohmann::json& payload) {
    if (!payload.contains("id") || !payload["id"].is_string() || !payload.contains("status") || !payload["status"].is_string()) return;
    const std::string status = payload["status"];
    if (status == "invalid") return;
    const auto found = sent_.find(payload["id"].get<std::string>());
    if (found == sent_.end()) return;  // its command is not in this log
    const SentCommand& sent = found->second;
    size_t ok = 0;
    for (uint8_t node : sent.expected) {
      const auto ack = sent.acks.find(node);
      if (ack != sent.acks.end() && ack->second == static_cast<uint8_t>(firmware::AckStatus::kOk)) ++ok;
    }
    const std::string should = !sent.expected.empty() && ok == sent.expected.size() ? "ok" : ok > 0 ? "partial" : "failed";
    std::string acks_seen;
    for (const auto& [node, ack] : sent.acks) acks_seen += fmt::format("{}{:02X}", acks_seen.empty() ? "" : ",", node);
    std::string acks_said;
    if (payload.contains("acks") && payload["acks"].is_object()) {
      for (const auto& [node, ack] : payload["acks"].items()) acks_said += (acks_said.empty() ? "" : ",") + node;
    }
    if (status != should || acks_said != acks_seen) {
      context_.flag(typed.wall_ns, 0, "bridge-result-disagrees-with-acks",
                    fmt::format("status {} with ACKs from [{}] (what the bus carried for the command)", should, acks_seen),
                    fmt::format("result '{}' says status {} with ACKs from [{}]", payload["id"].get<std::string>(), status, acks_said),
                    {sent.frame_seq, typed.seq});
    }
  }

  void OnCommandFrame(const TypedEvent& typed, const firmware::CommandFrame& frame, const TwinState& state) {
    for (auto it = awaited_.begin(); it != awaited_.end(); ++it) {
      if (typed.wall_ns - it->wall_ns > kGiveUpNs) continue;
      const bool same_command = !it->invalid && it->expected.cmd == frame.cmd;
      if (!same_command && !it->invalid) continue;
      const int64_t delay_ns = typed.wall_ns - it->wall_ns;
      if (it->invalid) {
        if (delay_ns <= kOnCanWithinNs) {
          context_.flag(typed.wall_ns, 0, "bridge-invalid-command-on-can", "nothing on CAN for a refused command",
                        fmt::format("{} on CAN {} ms after it", FrameText(frame), delay_ns / kNsPerMs), {it->seq, typed.seq});
        }
      } else if (it->redelivery) {
        context_.flag(typed.wall_ns, 0, "bridge-command-sent-twice",
                      fmt::format("command id '{}' on CAN once in 60 s (MQTT QoS 1 redelivers)", it->id),
                      fmt::format("{} sent again for the redelivered id", FrameText(frame)), {it->seq, typed.seq});
      } else {
        Judge(*it, typed, frame, delay_ns);
        Remember(*it, typed, frame, state);
      }
      awaited_.erase(it);
      return;
    }
  }

  void Judge(const AwaitedCommand& awaited, const TypedEvent& typed, const firmware::CommandFrame& frame, int64_t delay_ns) {
    if (delay_ns > kOnCanWithinNs) {
      context_.flag(typed.wall_ns, 0, "bridge-command-not-on-can", fmt::format("command '{}' on CAN within 100 ms", awaited.id),
                    fmt::format("on CAN after {} ms", delay_ns / kNsPerMs), {awaited.seq, typed.seq});
    }
    firmware::CommandFrame observed = frame;
    observed.seq = 0;
    const firmware::CommandFrame& expected = awaited.expected;
    bool same = observed.node == expected.node && observed.args_len == expected.args_len;
    for (uint8_t i = 0; same && i < expected.args_len && i < sizeof expected.args; ++i) same = observed.args[i] == expected.args[i];
    if (!same) {
      context_.flag(typed.wall_ns, frame.node == firmware::kBroadcastNodeId ? 0 : frame.node, "bridge-command-wrong-frame",
                    FrameText(expected), fmt::format("{} for command '{}'", FrameText(frame), awaited.id),
                    {awaited.seq, typed.seq});
    }
  }

  void Expire(int64_t now_ns) {
    for (auto it = awaited_.begin(); it != awaited_.end();) {
      if (now_ns - it->wall_ns <= kGiveUpNs) {
        ++it;
        continue;
      }
      if (!it->invalid && !it->redelivery) {
        context_.flag(it->wall_ns + kGiveUpNs, 0, "bridge-command-not-on-can", fmt::format("command '{}' on CAN within 100 ms", it->id),
                      "never on CAN (none within 2.5 s)", {it->seq});
      }
      it = awaited_.erase(it);
    }
  }

  // Telemetry and aggregate against the frames they came from.
  void OnPublication(const TypedEvent& typed, const v1::MqttMessage& m, const TwinState& state) {
    const nlohmann::json payload = nlohmann::json::parse(m.payload(), nullptr, false);
    if (payload.is_discarded() || !payload.is_object()) return;
    const std::string& topic = m.topic();
    if (topic == bus::kResultTopic) {
      OnResult(typed, payload);
      return;
    }
    if (topic.size() == std::string("alfaspark/2A/telemetry").size() && topic.rfind("alfaspark/", 0) == 0 &&
        topic.substr(12) == "/telemetry") {
      const auto node = static_cast<uint8_t>(std::strtoul(topic.substr(10, 2).c_str(), nullptr, 16));
      const auto batt = batt_.find(node);
      if (batt == batt_.end() || !payload.contains("soc_pct") || !payload["soc_pct"].is_number_integer()) return;
      if (payload["soc_pct"].get<int64_t>() != batt->second.soc) {
        context_.flag(typed.wall_ns, node, "bridge-publication-disagrees",
                      fmt::format("soc_pct {} as {}'s last TEL_BATT said", batt->second.soc, NodeName(node)),
                      fmt::format("{} published soc_pct {}", topic, payload["soc_pct"].get<int64_t>()), {typed.seq});
      }
      return;
    }
    if (topic == "alfaspark/master" && payload.contains("node")) {
      const int64_t said = payload["node"].is_number_integer() ? payload["node"].get<int64_t>() : 0;
      if (said != state.fleet.master) {
        context_.flag(typed.wall_ns, state.fleet.master, "bridge-publication-disagrees",
                      fmt::format("master {} by the rules from the heartbeats", state.fleet.master ? NodeName(state.fleet.master) : "none"),
                      fmt::format("alfaspark/master published {}", payload["node"].dump()), {typed.seq});
      }
      return;
    }
    if (topic.size() == std::string("alfaspark/2A/info").size() && topic.rfind("alfaspark/", 0) == 0 && topic.substr(12) == "/info" &&
        payload.contains("online") && payload["online"].is_boolean()) {
      const auto node = static_cast<uint8_t>(std::strtoul(topic.substr(10, 2).c_str(), nullptr, 16));
      if (node == 0 || node >= firmware::kNodeSlots) return;
      const auto& entry = firmware::EntryOf(state.fleet.nodes, node);
      const bool live = firmware::IsLive(entry, TwinMs(typed.wall_ns));
      if (payload["online"].get<bool>() != live) {
        context_.flag(typed.wall_ns, node, "bridge-publication-disagrees",
                      fmt::format("{} {} by its heartbeats (120 s TTL)", NodeName(node), live ? "online" : "offline"),
                      fmt::format("{} published online {}", topic, payload["online"].get<bool>()), {typed.seq});
      }
      return;
    }
    if (topic == "alfaspark/aggregate" && payload.contains("packs_online") && payload["packs_online"].is_number_integer()) {
      const uint8_t master = state.fleet.master;
      const auto fleet = fleet_.find(master);
      if (fleet == fleet_.end()) return;
      if (payload["packs_online"].get<int64_t>() != fleet->second.packs_online) {
        context_.flag(typed.wall_ns, master, "bridge-publication-disagrees",
                      fmt::format("packs_online {} as the master's last FLEET frame said", fleet->second.packs_online),
                      fmt::format("alfaspark/aggregate published packs_online {}", payload["packs_online"].get<int64_t>()),
                      {typed.seq});
      }
    }
  }

  CheckContext& context_;
  std::vector<AwaitedCommand> awaited_;
  std::map<std::string, int64_t> forwarded_;  // command id -> when it went on CAN
  std::map<std::string, SentCommand> sent_;    // command id -> its frame and ACKs
  std::optional<int64_t> bridge_heard_ns_;
  std::optional<int64_t> last_time_ns_;
  uint8_t bridge_node_ = 0;
  bool mqtt_seen_ = false;
  std::map<uint8_t, firmware::TelBattFrame> batt_;
  std::map<uint8_t, firmware::FleetFrame> fleet_;
};

}  // namespace

std::unique_ptr<CheckFamily> MakeBridgeFamily(CheckContext& context) { return std::make_unique<BridgeFamily>(context); }

}  // namespace packtwin::twin::check
