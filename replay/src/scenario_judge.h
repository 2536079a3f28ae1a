// The expectations of a scenario, judged while the simulated site runs: after
// each instant, every expectation whose time falls before the next is checked
// against the packs' state (relays, status, master, SOC, node id, ACKs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/replay/scenario.h"
#include "packtwin/replay/scenario_run.h"
#include "packtwin/replay/sim_engine.h"

namespace packtwin::replay {

class ScenarioJudge {
 public:
  explicit ScenarioJudge(const Scenario& scenario);
  // A command the timeline sent (expectations on ACKs may name it by kind only).
  void OnCommandSent(int64_t t_ms, uint8_t cmd, uint8_t seq) { sent_.push_back({t_ms, cmd, seq}); }
  // Every frame on the bus (ACKs are kept).
  void OnFrame(const firmware::CanFrame& frame, int64_t t);
  // What the bridge published (the simulated site's MQTT side).
  void OnPublication(int64_t t, const std::string& topic, const std::string& payload) { publications_.push_back({t, topic, payload}); }
  void AfterInstant(const SimEngine& engine, int64_t t, int64_t next_ms);
  const std::vector<ExpectationFailure>& failures() const { return failures_; }

 private:
  struct SentCommand {
  int64_t t_ms;
  uint8_t cmd;
  uint8_t seq;
};

  struct SeenAck {
  int64_t t_ms;
  uint8_t node;
  firmware::AckFrame ack;
};


  std::string PackName(int pack) const;
  std::string Describe(const Expectation& e) const;
  bool Holds(const SimEngine& engine, const Expectation& e, std::string* seen) const;
  bool MasterHolds(const SimEngine& engine, const Expectation& e, std::string* seen) const;
  bool AckHolds(uint8_t node, const Expectation& e, std::string* seen) const;
  bool PublicationHolds(const Expectation& e, std::string* seen) const;
  struct Publication {
    int64_t t_ms;
    std::string topic;
    std::string payload;
  };
  std::vector<Publication> publications_;
  void Failed(size_t i, int64_t at_ms, std::string expected, std::string seen);

  const Scenario& scenario_;
  std::vector<SentCommand> sent_;
  std::vector<SeenAck> acks_;
  std::vector<bool> failed_;
  std::vector<ExpectationFailure> failures_;
};

// The scenario's `check` expectation judged on the finished capture: appends
// a failure when the findings are not what it says (scenario_report.cc).
Status EvaluateCheck(const Scenario& scenario, const std::string& capture, ScenarioResult* result);

}  // namespace packtwin::replay
