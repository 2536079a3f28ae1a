// packtwin bridge, live: mosquitto as the broker, mosquitto_pub/_sub as the
// app, and an slcan adapter emulated on a pty with packs that ACK commands.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "mosquitto_broker.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::Child;
using testing::MosquittoBroker;
using testing::TempDir;
using nlohmann::json;

struct Site {
  MosquittoBroker broker;
  TempDir dir;
  std::unique_ptr<Child> packs;
  std::string pty;

  Site() {
    packs = std::make_unique<Child>(std::vector<std::string>{testing::SystemPython(), testing::SourceDir() + "/tests/peers/slcan_packs.py",
                                                             "2A,2B", dir.File("pty")});
    if (testing::WaitForFile(dir.File("pty"))) pty = testing::ReadFile(dir.File("pty"));
  }
  std::vector<std::string> Pub(const std::string& topic, const std::string& payload) const {
    return {"mosquitto_pub", "-p", std::to_string(broker.port()), "-q", "1", "-t", topic, "-m", payload};
  }
};

TEST(BridgeLive, AnAppCommandGoesOnCanThePacksAckAndTheResultIsPublishedAndEverythingIsLogged) {
  Site site;
  ASSERT_TRUE(site.broker.ready());
  ASSERT_FALSE(site.pty.empty());
  const std::string db = site.dir.File("site.db");
  Child bridge({testing::PacktwinBinary(), "bridge", "--can", "slcan:" + site.pty, "--mqtt", site.broker.HostPort(), "-o", db,
                "--duration", "6s", "--json"});
  // The app listens for results, then presses Eco, sends a bad payload and a redelivery.
  Child results({"mosquitto_sub", "-p", std::to_string(site.broker.port()), "-t", "alfaspark/commands/result", "-C", "3", "-W", "10"});
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));  // packs heard, subscriptions in place
  ASSERT_EQ(testing::Run(site.Pub("alfaspark/commands/mode", R"({"id":"app-1","mode":"eco","on":true})")).exit_code, 0);
  ASSERT_EQ(testing::Run(site.Pub("alfaspark/commands/eco_limit", R"({"id":"app-2","watts":99})")).exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  ASSERT_EQ(testing::Run(site.Pub("alfaspark/commands/mode", R"({"id":"app-1","mode":"eco","on":true})")).exit_code, 0);
  auto heard = results.Wait(15'000);
  auto done = bridge.Wait(20'000);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  std::vector<json> lines;
  for (size_t at = 0; at < heard.out.size();) {
    const size_t end = heard.out.find('\n', at);
    lines.push_back(json::parse(heard.out.substr(at, end - at)));
    at = end == std::string::npos ? heard.out.size() : end + 1;
  }
  ASSERT_EQ(lines.size(), 3u) << heard.out << heard.err;
  EXPECT_EQ(lines[0]["id"], "app-2");
  EXPECT_EQ(lines[0]["status"], "invalid");
  EXPECT_EQ(lines[0]["error"], "watts: 99 is out of range 100..25000");
  EXPECT_EQ(lines[1]["id"], "app-1");
  EXPECT_EQ(lines[1]["status"], "ok");
  EXPECT_EQ(lines[1]["acks"], json({{"2A", "OK"}, {"2B", "OK"}}));
  EXPECT_EQ(lines[2], lines[1]) << "a redelivered id gets its result again";
  // The log: the command frame out, the ACKs in, the MQTT both ways, in the chain.
  const auto can = testing::ExportedEvents(db, "can_frame");
  int commands = 0, acks = 0;
  for (const auto& e : can) {
    if (e["id"] == "0x07F" && e["dir"] == "tx") ++commands;
    if ((e["id"] == "0x3AA" || e["id"] == "0x3AB") && e["dir"] == "rx") ++acks;
  }
  EXPECT_EQ(commands, 1) << "sent once despite the redelivery";
  EXPECT_EQ(acks, 2);
  int results_out = 0, commands_in = 0;
  for (const auto& e : testing::ExportedEvents(db, "mqtt")) {
    if (e["topic"] == "alfaspark/commands/result" && e["dir"] == "out") ++results_out;
    if (e["topic"] == "alfaspark/commands/mode" && e["dir"] == "in") ++commands_in;
  }
  EXPECT_EQ(results_out, 3);
  EXPECT_EQ(commands_in, 2);
  EXPECT_EQ(testing::Packtwin({"verify", db}).exit_code, 0);
  // The twin of the bridge: what it published per topic, and the reducer agreeing from the same frames.
  auto state = testing::Packtwin({"state", db, "--json"});
  ASSERT_EQ(state.exit_code, 0) << state.err;
  const json view = json::parse(state.out)["bridge"];
  for (const char* topic : {"alfaspark/2A/info", "alfaspark/2B/info", "alfaspark/master", "alfaspark/commands/result",
                            "alfaspark/bridge/status"}) {
    ASSERT_TRUE(view.contains(topic)) << topic << "\n" << view.dump(2);
    EXPECT_FALSE(view[topic]["differs"].get<bool>()) << topic << "\n" << view[topic].dump(2);
  }
  EXPECT_EQ(json::parse(view["alfaspark/master"]["published"].get<std::string>())["node"], 0x2B);
}

TEST(BridgeLive, WithTheBrokerDownItKeepsRecordingCanAndNotesTheGap) {
  Site site;
  ASSERT_TRUE(site.broker.ready());
  ASSERT_FALSE(site.pty.empty());
  site.broker.Kill();
  const std::string db = site.dir.File("site.db");
  auto ran = testing::Packtwin({"bridge", "--can", "slcan:" + site.pty, "--mqtt", site.broker.HostPort(), "-o", db, "--duration",
                                "3s", "--json"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  const json summary = json::parse(ran.out);
  EXPECT_GT(summary["can_in"].get<int>(), 2) << "heartbeats recorded while the broker is away";
  EXPECT_EQ(summary["broker_gaps"], 1);
  const auto gaps = testing::ExportedEvents(db, "gap");
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_NE(gaps[0]["reason"].get<std::string>().find("MQTT broker not reachable"), std::string::npos) << gaps[0].dump();
}

TEST(BridgeLive, BadPayloadsGetInvalidResultsNothingOnCanAndTheBridgeGoesOn) {
  Site site;
  ASSERT_TRUE(site.broker.ready());
  ASSERT_FALSE(site.pty.empty());
  const std::string db = site.dir.File("site.db");
  Child bridge({testing::PacktwinBinary(), "bridge", "--can", "slcan:" + site.pty, "--mqtt", site.broker.HostPort(), "-o", db,
                "--duration", "5s", "--json"});
  Child results({"mosquitto_sub", "-p", std::to_string(site.broker.port()), "-t", "alfaspark/commands/result", "-C", "4", "-W", "10"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  testing::WriteFile(site.dir.File("big"), "{\"id\":\"big\",\"pad\":\"" + std::string(1'000'000, 'x') + "\"}");
  testing::WriteFile(site.dir.File("latin1"), "{\"id\":\"caf\xe9\"}");
  ASSERT_EQ(testing::Run({"mosquitto_pub", "-p", std::to_string(site.broker.port()), "-q", "1", "-t", "alfaspark/commands/mode", "-f",
                          site.dir.File("big")}).exit_code, 0);
  ASSERT_EQ(testing::Run({"mosquitto_pub", "-p", std::to_string(site.broker.port()), "-q", "1", "-t", "alfaspark/commands/mode", "-f",
                          site.dir.File("latin1")}).exit_code, 0);
  ASSERT_EQ(testing::Run(site.Pub("alfaspark/commands/relay", std::string(100, '[') + std::string(100, ']'))).exit_code, 0);
  ASSERT_EQ(testing::Run(site.Pub("alfaspark/commands/relay", R"({"id":"r1","relay":"grid","state":"open","colour":"red"})")).exit_code, 0);
  auto heard = results.Wait(15'000);
  auto done = bridge.Wait(20'000);
  ASSERT_EQ(done.exit_code, 0) << "the bridge still running to the end\n" << done.err;
  EXPECT_NE(heard.out.find("payload: 1000021 bytes; a command is at most 4096"), std::string::npos) << heard.out;
  EXPECT_NE(heard.out.find("payload: not UTF-8 (byte 10)"), std::string::npos) << heard.out;
  EXPECT_NE(heard.out.find("payload: nested deeper than 8"), std::string::npos) << heard.out;
  EXPECT_NE(heard.out.find("colour: not a key of relay"), std::string::npos) << heard.out;
  EXPECT_EQ(json::parse(done.out)["can_out"].get<int>() >= 1, true);
  for (const auto& e : testing::ExportedEvents(db, "can_frame")) {
    EXPECT_NE(e["id"], "0x07F") << "nothing on CAN for a refused command";
  }
  int kept = 0;
  for (const auto& e : testing::ExportedEvents(db, "mqtt")) {
    if (e["dir"] == "in" && (e.contains("payload_hex") || e.value("payload", "").size() > 1'000'000)) ++kept;
  }
  EXPECT_EQ(kept, 2) << "the raw bytes kept in the log";
}

TEST(BridgeLive, AnAdapterThatGoesAwayIsSaidOnTheStatusTopicAndInTheLog) {
  Site site;
  ASSERT_TRUE(site.broker.ready());
  ASSERT_FALSE(site.pty.empty());
  const std::string db = site.dir.File("site.db");
  Child bridge({testing::PacktwinBinary(), "bridge", "--can", "slcan:" + site.pty, "--mqtt", site.broker.HostPort(), "-o", db,
                "--duration", "4s"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  site.packs->Signal(SIGKILL);  // the adapter unplugged: its pty closes
  site.packs->Wait(5'000);
  auto done = bridge.Wait(20'000);
  ASSERT_EQ(done.exit_code, 0) << "MQTT goes on without the bus\n" << done.err;
  auto status = testing::Run({"mosquitto_sub", "-p", std::to_string(site.broker.port()), "-t", "alfaspark/bridge/status", "-C", "1", "-W", "5"});
  EXPECT_EQ(status.out.rfind("can_down: ", 0), 0u) << "retained on the status topic: " << status.out;
  const auto gaps = testing::ExportedEvents(db, "gap");
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_NE(gaps[0]["lost_on"].get<std::string>().find("slcan:"), std::string::npos) << gaps[0].dump();
}

TEST(BridgeLive, SigkillLosesAtMostTheCommitIntervalLeavesAValidLogAndTheLastWillSaysOffline) {
  Site site;
  ASSERT_TRUE(site.broker.ready());
  ASSERT_FALSE(site.pty.empty());
  const std::string db = site.dir.File("site.db");
  Child bridge({testing::PacktwinBinary(), "bridge", "--can", "slcan:" + site.pty, "--mqtt", site.broker.HostPort(), "-o", db});
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  bridge.Signal(SIGKILL);
  bridge.Wait(5'000);
  // The broker says so with the bridge's last will, retained.
  auto status = testing::Run({"mosquitto_sub", "-p", std::to_string(site.broker.port()), "-t", "alfaspark/bridge/status", "-C", "1", "-W", "5"});
  EXPECT_EQ(status.out, "offline\n");
  auto verified = testing::Packtwin({"verify", db});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_GT(testing::ExportedEvents(db, "can_frame").size(), 4u) << "what was committed is there";
}

// Bridge 1.0's defects emulated live, and `check` naming each from the log.
TEST(BridgeLive, Bridge1_0DefectsRunLiveAreFlaggedByCheck) {
  Site site;
  ASSERT_TRUE(site.broker.ready());
  ASSERT_FALSE(site.pty.empty());
  const std::string db = site.dir.File("site.db");
  Child bridge({testing::PacktwinBinary(), "bridge", "--can", "slcan:" + site.pty, "--mqtt", site.broker.HostPort(), "-o", db,
                "--duration", "5s", "--defects", "1,2,5"});
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  ASSERT_EQ(testing::Run(site.Pub("alfaspark/commands/mode", R"({"id":"app-1","mode":"eco","on":true})")).exit_code, 0);
  ASSERT_EQ(testing::Run(site.Pub("alfaspark/commands/mode", R"({"id":"app-1","mode":"eco","on":true})")).exit_code, 0);
  auto done = bridge.Wait(20'000);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  auto checked = testing::Packtwin({"check", db, "--json"});
  EXPECT_EQ(checked.exit_code, 1) << checked.err;
  std::vector<std::string> rules;
  const json report = json::parse(checked.out);
  for (const auto& f : report["findings"]) rules.push_back(f["rule"]);
  EXPECT_NE(std::find(rules.begin(), rules.end(), "bridge-command-wrong-frame"), rules.end()) << checked.out;
  EXPECT_NE(std::find(rules.begin(), rules.end(), "bridge-command-sent-twice"), rules.end()) << checked.out;
}

}  // namespace
}  // namespace packtwin
