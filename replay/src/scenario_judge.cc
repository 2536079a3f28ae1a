#include "scenario_judge.h"

#include <fmt/format.h>

#include <mosquitto.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "packtwin/firmware/pack_reducer.h"
#include "packtwin/firmware/protocol_v1.h"
#include "scenario_names.h"

namespace packtwin::replay {

ScenarioJudge::ScenarioJudge(const Scenario& scenario) : scenario_(scenario) {
  failed_.assign(scenario.expectations.size(), false);
}

void ScenarioJudge::OnFrame(const firmware::CanFrame& frame, int64_t t) {
  firmware::AckFrame ack;
  if (firmware::DecodeAck(frame, &ack) == firmware::DecodeStatus::kOk) acks_.push_back({t, ack.node, ack});
}

// The state this instant left holds until `next_ms`: expectations whose
// time falls in [t, next) are judged on it.
void ScenarioJudge::AfterInstant(const SimEngine& engine, int64_t t, int64_t next_ms) {
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

std::string ScenarioJudge::PackName(int pack) const { return scenario_.packs[static_cast<size_t>(pack)].sim.name; }

std::string ScenarioJudge::Describe(const Expectation& e) const {
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
    case Subject::kPublication:
      return e.text;
  }
  return e.text;
}

bool ScenarioJudge::Holds(const SimEngine& engine, const Expectation& e, std::string* seen) const {
  if (e.subject == Subject::kMaster) return MasterHolds(engine, e, seen);
  if (e.subject == Subject::kPublication) return PublicationHolds(e, seen);
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
    case Subject::kPublication:
      break;
  }
  return false;
}

// At T: one matching publication in [T - 5 s, T]; never: one in [from, to].
bool ScenarioJudge::PublicationHolds(const Expectation& e, std::string* seen) const {
  const int64_t from = e.never ? e.from_ms : e.at_ms - kPublicationWindowMs;
  const int64_t to = e.never ? e.to_ms : e.at_ms;
  const nlohmann::json wanted = nlohmann::json::parse(e.fields, nullptr, false);
  std::string last;
  for (const auto& p : publications_) {
    bool topic_matches = false;
    if (p.t_ms < from || p.t_ms > to || mosquitto_topic_matches_sub(e.topic.c_str(), p.topic.c_str(), &topic_matches) != MOSQ_ERR_SUCCESS ||
        !topic_matches) {
      continue;
    }
    last = p.payload;
    const nlohmann::json payload = nlohmann::json::parse(p.payload, nullptr, false);
    bool all = payload.is_object() && wanted.is_object();
    for (auto it = wanted.begin(); all && it != wanted.end(); ++it) all = payload.contains(it.key()) && payload[it.key()] == it.value();
    if (all) {
      *seen = fmt::format("{} {} at {} ms", p.topic, p.payload, p.t_ms);
      return true;
    }
  }
  *seen = last.empty() ? fmt::format("nothing on {}", e.topic) : "last: " + last;
  return false;
}

bool ScenarioJudge::MasterHolds(const SimEngine& engine, const Expectation& e, std::string* seen) const {
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

bool ScenarioJudge::AckHolds(uint8_t node, const Expectation& e, std::string* seen) const {
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

void ScenarioJudge::Failed(size_t i, int64_t at_ms, std::string expected, std::string seen) {
  failed_[i] = true;
  failures_.push_back({scenario_.expectations[i].path, at_ms, std::move(expected), std::move(seen)});
}

}  // namespace packtwin::replay
