#include "lanes.h"

#include "packtwin/firmware/protocol_v1.h"
#include "packtwin/twin/names.h"

namespace packtwin::view {
namespace {
constexpr const char* kCauseUnknown = "cause unknown";
}  // namespace

void LaneBuilder::Begin(uint8_t node, const std::string& lane, const std::string& label, int64_t at_ns) {
  End(node, lane, at_ns);  // a new cause or master ends the band before it
  open_[{node, lane}] = {label, at_ns};
}

void LaneBuilder::End(uint8_t node, const std::string& lane, int64_t at_ns) {
  auto found = open_.find({node, lane});
  if (found == open_.end()) return;
  auto& bands = bands_[node];
  if (bands.is_null()) bands = nlohmann::ordered_json::array();
  bands.push_back({{"lane", lane}, {"label", found->second.label}, {"from_ns", found->second.from_ns}, {"to_ns", at_ns}});
  open_.erase(found);
}

// Ends a band; one that no change began was on since the log's start.
void LaneBuilder::EndSinceStart(uint8_t node, const std::string& lane, const std::string& label, int64_t at_ns) {
  if (open_.count({node, lane}) == 0) open_[{node, lane}] = {label, start_ns_};
  End(node, lane, at_ns);
}

void LaneBuilder::Add(const twin::Change& c) {
  using twin::ChangeKind;
  switch (c.kind) {
    case ChangeKind::kRelay: {
      const std::string lane = std::string("relay ") + twin::RelayName(c.relay);
      if (c.closed) {
        Begin(c.node, lane, twin::CauseName(c.cause), c.wall_ns);
      } else {
        EndSinceStart(c.node, lane, kCauseUnknown, c.wall_ns);  // opened without a close seen
      }
      return;
    }
    case ChangeKind::kFunction:
      if (c.on) {
        Begin(c.node, twin::ModeName(c.mode_bit), "on", c.wall_ns);
      } else {
        EndSinceStart(c.node, twin::ModeName(c.mode_bit), "on", c.wall_ns);  // off without a switch-on seen
      }
      return;
    case ChangeKind::kLockout:
      if (c.on) {
        Begin(c.node, "lockout", "lockout", c.wall_ns);
      } else {
        End(c.node, "lockout", c.wall_ns);
      }
      return;
    case ChangeKind::kAlarm: {
      const std::string lane = std::string("alarm ") + twin::AlarmName(c.alarm);
      if (c.on) {
        Begin(c.node, lane, twin::AlarmName(c.alarm), c.wall_ns);
      } else {
        End(c.node, lane, c.wall_ns);
      }
      return;
    }
    case ChangeKind::kMaster:
      if (c.node != 0) {
        Begin(0, "master", twin::NodeName(c.node), c.wall_ns);
      } else {
        End(0, "master", c.wall_ns);
      }
      return;
    case ChangeKind::kNodeJoined:
      Begin(0, "online " + twin::NodeName(c.node), "online", c.wall_ns);
      return;
    case ChangeKind::kNodeLeft:
      End(0, "online " + twin::NodeName(c.node), c.wall_ns);
      return;
    case ChangeKind::kCommand:
    case ChangeKind::kAck:
    case ChangeKind::kMqtt:
      if (moments_.size() < kMaxMoments) {
        const char* lane = c.kind == ChangeKind::kMqtt ? "app (MQTT)" : c.kind == ChangeKind::kCommand ? "commands" : "acks";
        moments_.push_back({{"lane", lane}, {"t_ns", c.wall_ns}, {"text", twin::ChangeText(c)}});
      }
      return;
    case ChangeKind::kLimit:
    case ChangeKind::kTime:
    case ChangeKind::kDuplicateId:
    case ChangeKind::kTwoMasters:
      return;  // in the timeline list; no band of their own
  }
}

nlohmann::ordered_json LaneBuilder::Finish(int64_t end_ns, const twin::TwinState& state) {
  // What the final state shows on that no change ever named was on from the start.
  const auto on_from_start = [&](uint8_t node, const std::string& lane, const char* label) {
    if (open_.count({node, lane}) != 0) return;
    if (auto ended = bands_.find(node); ended != bands_.end()) {
      for (const auto& band : ended->second) {
        if (band["lane"] == lane) return;
      }
    }
    open_[{node, lane}] = {label, start_ns_};
  };
  for (const auto& [node, pack] : state.packs) {
    for (uint8_t relay = 0; relay < pack.relay.size(); ++relay) {
      const bool closed = pack.relay[relay].known ? pack.relay[relay].closed : ((pack.relays >> relay) & 1u) != 0;
      if (closed) on_from_start(node, std::string("relay ") + twin::RelayName(relay), kCauseUnknown);
    }
    for (uint8_t bit = 0; bit < firmware::kModeCount; ++bit) {
      if (((pack.modes >> bit) & 1u) != 0) on_from_start(node, twin::ModeName(bit), "on");
    }
  }
  // Bounded by the bands open: each pass ends one.
  while (!open_.empty()) End(open_.begin()->first.first, open_.begin()->first.second, end_ns);
  nlohmann::ordered_json packs = nlohmann::ordered_json::object();
  nlohmann::ordered_json site = nlohmann::ordered_json::array();
  for (auto& [node, bands] : bands_) {
    if (node == 0) {
      site = std::move(bands);
    } else {
      packs[twin::NodeName(node)] = std::move(bands);
    }
  }
  return {{"packs", std::move(packs)}, {"site", std::move(site)}, {"moments", std::move(moments_)}};
}

}  // namespace packtwin::view
