// `packtwin check`'s bridge rules (bridge-mqtt.md) on hand-built logs of CAN
// frames and MQTT messages: each rule provoked, and a correct exchange clean.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "packtwin/bus/firmware_frame.h"
#include "packtwin/eventlog/event_writer.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "test_support.h"

namespace packtwin {
namespace {

using namespace packtwin::firmware;

constexpr int64_t kT0Ms = 1795237200'000;  // 2026-11-21T05:00:00Z

class BridgeLog {
 public:
  BridgeLog& Can(int64_t ms, const CanFrame& frame) {
    events_.push_back(bus::EventFromFirmwareFrame(frame, (kT0Ms + ms) * 1'000'000));
    return *this;
  }
  BridgeLog& Mqtt(int64_t ms, const std::string& topic, const std::string& payload) {
    v1::Event event;
    event.set_wall_time_ns((kT0Ms + ms) * 1'000'000);
    event.set_capture_time_ns(event.wall_time_ns());
    event.set_source("mqtt:127.0.0.1:1883");
    event.mutable_mqtt()->set_topic(topic);
    event.mutable_mqtt()->set_payload(payload);
    event.mutable_mqtt()->set_qos(1);
    events_.push_back(event);
    return *this;
  }
  // The bridge on the bus with its TIME, and two packs (0x2B master).
  BridgeLog& Site(int64_t until_ms) {
    for (int64_t ms = 0; ms <= until_ms; ms += 10'000) {
      Can(ms, EncodeHeartbeat({0x01, 3, 1, 0, 2, 0xB1D6E001}));
      Can(ms, EncodeHeartbeat({0x2A, 1, 2, 6, 0, 0x102A}));
      Can(ms, EncodeHeartbeat({0x2B, 1, 2, 6, 1, 0x102B}));
      if (ms % 60'000 == 0) Can(ms, EncodeTime({0x01, static_cast<uint32_t>((kT0Ms + ms) / 1000), 60, 1}));
    }
    return *this;
  }
  nlohmann::json State() {
    testing::TempDir dir;
    Write(dir.File("s.db"));
    auto state = testing::Packtwin({"state", dir.File("s.db"), "--json"});
    EXPECT_EQ(state.exit_code, 0) << state.err;
    return nlohmann::json::parse(state.out);
  }
  void Write(const std::string& path) {
    std::stable_sort(events_.begin(), events_.end(),
                     [](const v1::Event& a, const v1::Event& b) { return a.wall_time_ns() < b.wall_time_ns(); });
    eventlog::WriterOptions options;
    options.site = "bench";
    options.tool_version = "test";
    options.background_commits = false;
    options.durable = false;
    auto writer = eventlog::EventWriter::Create(path, options);
    EXPECT_TRUE(writer.ok());
    for (const auto& e : events_) EXPECT_TRUE((*writer)->Append(e).ok());
    EXPECT_TRUE((*writer)->Close().ok());
  }
  std::vector<nlohmann::json> Findings() {
    std::stable_sort(events_.begin(), events_.end(),
                     [](const v1::Event& a, const v1::Event& b) { return a.wall_time_ns() < b.wall_time_ns(); });
    testing::TempDir dir;
    eventlog::WriterOptions options;
    options.site = "bench";
    options.tool_version = "test";
    options.background_commits = false;
    options.durable = false;
    auto writer = eventlog::EventWriter::Create(dir.File("b.db"), options);
    EXPECT_TRUE(writer.ok());
    for (const auto& e : events_) EXPECT_TRUE((*writer)->Append(e).ok());
    EXPECT_TRUE((*writer)->Close().ok());
    auto checked = testing::Packtwin({"check", dir.File("b.db"), "--json"});
    // The bridge's rules only: these logs leave out what the packs' rules need (ACKs, voltages).
    std::vector<nlohmann::json> bridge;
    const nlohmann::json all = nlohmann::json::parse(checked.out);
    for (const auto& f : all["findings"]) {
      if (f["rule"].get<std::string>().rfind("bridge-", 0) == 0) bridge.push_back(f);
    }
    return bridge;
  }
  std::vector<std::string> Rules() {
    std::vector<std::string> rules;
    for (const auto& f : Findings()) rules.push_back(f["rule"]);
    return rules;
  }

 private:
  std::vector<v1::Event> events_;
};

const std::string kEcoOn = R"({"id":"app-1","mode":"eco","on":true})";
CanFrame EcoOnFrame(uint8_t node = 0x7F, uint8_t on = 1, uint8_t seq = 0) { return EncodeCommand({node, 0x10, seq, 2, {2, on}}); }

TEST(CheckBridge, ACorrectBridgeHasNoFindings) {
  BridgeLog log;
  log.Site(130'000);
  log.Mqtt(1'000, "alfaspark/commands/mode", kEcoOn).Can(1'010, EcoOnFrame());
  log.Can(1'020, EncodeAck({0x2A, 0x10, 0, 0})).Can(1'021, EncodeAck({0x2B, 0x10, 0, 0}));
  log.Mqtt(4'000, "alfaspark/commands/mode", kEcoOn);  // a redelivery: not on CAN again, rightly
  log.Mqtt(5'000, "alfaspark/commands/eco_limit", R"({"id":"app-2","watts":99})");  // refused: nothing on CAN
  log.Can(6'000, EncodeTelBatt({0x2A, 5120, 0, 64, 0, 0, 0}));
  log.Mqtt(6'010, "alfaspark/2A/telemetry", R"({"node":42,"soc_pct":64})");
  log.Can(8'000, EncodeFleet({0x2B, 2, 60, 0, 0, 0}));
  log.Mqtt(8'010, "alfaspark/aggregate", R"({"master":43,"packs_online":2})");
  EXPECT_TRUE(log.Rules().empty()) << log.Findings()[0].dump();
}

TEST(CheckBridge, AValidCommandNotOnCanWithin100msIsFlaggedWithTheDelayOrNever) {
  BridgeLog late;
  late.Site(10'000).Mqtt(1'000, "alfaspark/commands/mode", kEcoOn).Can(1'340, EcoOnFrame());
  auto findings = late.Findings();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0]["rule"], "bridge-command-not-on-can");
  EXPECT_EQ(findings[0]["observed"], "on CAN after 340 ms");
  BridgeLog never;
  never.Site(10'000).Mqtt(1'000, "alfaspark/commands/mode", kEcoOn);
  findings = never.Findings();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0]["rule"], "bridge-command-not-on-can");
  EXPECT_EQ(findings[0]["observed"], "never on CAN (none within 2.5 s)");
}

TEST(CheckBridge, ACommandSentAsAnotherFrameIsFlaggedModeOffOrToTheMasterOnly) {
  BridgeLog off;  // defect 1
  off.Site(10'000).Mqtt(1'000, "alfaspark/commands/mode", kEcoOn).Can(1'005, EcoOnFrame(0x7F, 0));
  EXPECT_EQ(off.Rules(), std::vector<std::string>{"bridge-command-wrong-frame"});
  BridgeLog to_master;  // defect 2
  to_master.Site(10'000).Mqtt(1'000, "alfaspark/commands/mode", kEcoOn).Can(1'005, EcoOnFrame(0x2B));
  const auto findings = to_master.Findings();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0]["rule"], "bridge-command-wrong-frame");
  EXPECT_EQ(findings[0]["expected"], "SET_MODE [02 01] to all packs");
}

TEST(CheckBridge, ARefusedCommandThatReachedCanIsFlagged) {
  BridgeLog log;
  log.Site(10'000).Mqtt(1'000, "alfaspark/commands/eco_limit", R"({"id":"x","watts":99})");
  log.Can(1'010, EncodeCommand({0x7F, 0x11, 0, 2, {99, 0}}));
  EXPECT_EQ(log.Rules(), std::vector<std::string>{"bridge-invalid-command-on-can"});
}

TEST(CheckBridge, ARedeliveredCommandSentAgainIsFlagged) {
  BridgeLog log;  // defect 5
  log.Site(10'000).Mqtt(1'000, "alfaspark/commands/mode", kEcoOn).Can(1'005, EcoOnFrame());
  log.Mqtt(3'000, "alfaspark/commands/mode", kEcoOn).Can(3'005, EcoOnFrame(0x7F, 1, 1));
  EXPECT_EQ(log.Rules(), std::vector<std::string>{"bridge-command-sent-twice"});
}

TEST(CheckBridge, TelemetryOrAggregateThatDisagreesWithItsFramesIsFlagged) {
  BridgeLog log;  // defects 3 and 4
  log.Site(10'000);
  log.Can(2'000, EncodeTelBatt({0x2A, 5120, 0, 64, 0, 0, 0}));
  log.Mqtt(2'010, "alfaspark/2A/telemetry", R"({"node":42,"soc_pct":0})");
  log.Can(4'000, EncodeFleet({0x2B, 2, 60, 0, 0, 0}));
  log.Mqtt(4'010, "alfaspark/aggregate", R"({"master":43,"packs_online":3})");
  EXPECT_EQ(log.Rules(), (std::vector<std::string>{"bridge-publication-disagrees", "bridge-publication-disagrees"}));
}

TEST(BridgeTwin, TimelineChainsTheAppCommandItsFrameItsAcksAndItsResult) {
  BridgeLog log;
  log.Site(10'000).Mqtt(1'000, "alfaspark/commands/mode", kEcoOn).Can(1'005, EcoOnFrame());
  log.Can(1'020, EncodeAck({0x2A, 0x10, 0, 0})).Can(1'021, EncodeAck({0x2B, 0x10, 0, 0}));
  log.Can(2'000, EncodeCommand({0x7F, 0x16, 1, 0, {}}));  // a command no app sent (the scenario's own)
  testing::TempDir dir;
  log.Write(dir.File("t.db"));
  auto timeline = testing::Packtwin({"timeline", dir.File("t.db"), "--json"});
  ASSERT_EQ(timeline.exit_code, 0) << timeline.err;
  std::vector<std::string> chain;
  for (size_t at = 0; at < timeline.out.size();) {
    const size_t end = timeline.out.find('\n', at);
    const auto line = nlohmann::json::parse(timeline.out.substr(at, end - at));
    if (line["kind"] == "command" || line["kind"] == "ack") chain.push_back(line.value("app_id", std::string("-")));
    at = end + 1;
  }
  EXPECT_EQ(chain, (std::vector<std::string>{"app-1", "app-1", "app-1", "-"}));
}

TEST(BridgeTwin, StateShowsWhatTheBridgePublishedPerTopicAndWhatItShouldHave) {
  BridgeLog log;
  log.Site(10'000);
  log.Can(2'000, EncodeTelBatt({0x2A, 5120, -250, 64, 0, 0, 0}));
  log.Can(2'001, EncodeTelPower({0x2A, 100, 900, -800, 0}));
  log.Can(2'002, EncodeTelLoads({0x2A, 0, 0, 123, 10, 30}));
  log.Mqtt(2'010, "alfaspark/2A/telemetry", R"({"node":42,"soc_pct":0})");  // defect 3's bogus SOC
  const auto view = log.State()["bridge"]["alfaspark/2A/telemetry"];
  EXPECT_TRUE(view["differs"].get<bool>()) << view.dump(2);
  EXPECT_EQ(nlohmann::json::parse(view["twin"].get<std::string>())["soc_pct"], 64);
  EXPECT_EQ(nlohmann::json::parse(view["published"].get<std::string>())["soc_pct"], 0);
  BridgeLog can_only;  // no MQTT source: no bridge section
  can_only.Site(10'000);
  testing::TempDir dir;
  can_only.Write(dir.File("c.db"));
  auto state = testing::Packtwin({"state", dir.File("c.db"), "--json"});
  EXPECT_FALSE(nlohmann::json::parse(state.out).contains("bridge"));
}

TEST(CheckBridge, AMasterOrInfoPublicationThatDisagreesWithTheHeartbeatsIsFlagged) {
  BridgeLog log;
  log.Site(10'000);
  log.Mqtt(5'000, "alfaspark/master", R"({"node":42})");                   // 0x2B is master by the rules
  log.Mqtt(5'001, "alfaspark/2A/info", R"({"node":42,"online":false})");    // 0x2A heartbeats
  log.Mqtt(5'002, "alfaspark/2B/info", R"({"node":43,"online":true})");     // right
  log.Mqtt(5'003, "alfaspark/master", R"({"node":43})");                   // right
  EXPECT_EQ(log.Rules(), (std::vector<std::string>{"bridge-publication-disagrees", "bridge-publication-disagrees"}));
}

TEST(CheckBridge, AResultThatDisagreesWithTheAcksOnTheBusIsFlagged) {
  BridgeLog log;
  log.Site(10'000).Mqtt(1'000, "alfaspark/commands/mode", kEcoOn).Can(1'005, EcoOnFrame());
  log.Can(1'020, EncodeAck({0x2A, 0x10, 0, 0}));  // 0x2B never answers
  log.Mqtt(3'505, "alfaspark/commands/result", R"({"id":"app-1","seq":0,"status":"ok","acks":{"2A":"OK","2B":"OK"},"missing":[]})");
  const auto findings = log.Findings();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0]["rule"], "bridge-result-disagrees-with-acks");
  EXPECT_EQ(findings[0]["expected"], "status partial with ACKs from [2A] (what the bus carried for the command)");
  BridgeLog right;  // the same exchange with the result the ACKs give: clean
  right.Site(10'000).Mqtt(1'000, "alfaspark/commands/mode", kEcoOn).Can(1'005, EcoOnFrame());
  right.Can(1'020, EncodeAck({0x2A, 0x10, 0, 0}));
  right.Mqtt(3'505, "alfaspark/commands/result", R"({"id":"app-1","seq":0,"status":"partial","acks":{"2A":"OK"},"missing":["2B"]})");
  EXPECT_TRUE(right.Rules().empty());
}

TEST(CheckBridge, NoTimeForMoreThan65sWhileTheBridgeIsOnTheBusIsFlagged) {
  BridgeLog log;
  for (int64_t ms = 0; ms <= 100'000; ms += 10'000) log.Can(ms, EncodeHeartbeat({0x01, 3, 1, 0, 2, 0xB1D6E001}));
  log.Can(0, EncodeTime({0x01, static_cast<uint32_t>(kT0Ms / 1000), 60, 1}));
  log.Mqtt(500, "alfaspark/bridge/status", "online");  // a bridge of contract v1: its MQTT side is in the log
  const auto findings = log.Findings();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0]["rule"], "bridge-time-missing");
}

}  // namespace
}  // namespace packtwin
