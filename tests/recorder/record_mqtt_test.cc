// record --mqtt against Debian's mosquitto, with mosquitto_pub and
// python3-paho-mqtt as the app and the bridge.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "mosquitto_broker.h"
#include "packtwin/eventlog/event_writer.h"
#include "test_support.h"

namespace packtwin {
namespace {

using testing::Child;
using testing::MosquittoBroker;
using testing::Packtwin;
using testing::TempDir;

void Publish(const MosquittoBroker& broker, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(broker.port())};
  argv.insert(argv.end(), args.begin(), args.end());
  auto sent = testing::Run(argv);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
}

// Waits until the recorder's subscription is in place (its capture_start is written first).
void WaitForRecorder(const std::string& db) {
  ASSERT_TRUE(testing::WaitForFile(db));
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
}

TEST(RecordMqtt, EveryMessageOnTheFilterIsRecordedWithTopicPayloadQosRetainedAndDirection) {
  MosquittoBroker broker;
  ASSERT_TRUE(broker.ready());
  // Retained before the recorder subscribes: it arrives flagged retained.
  Publish(broker, {"-t", "alfaspark/master", "-m", R"({"node":43,"ts_ms":1})", "-r", "-q", "1"});
  TempDir dir;
  const std::string db = dir.File("site.db");
  Child recorder({testing::PacktwinBinary(), "record", "-o", db, "--mqtt", broker.HostPort(), "--duration", "4s", "--quiet"});
  WaitForRecorder(db);
  Publish(broker, {"-t", "alfaspark/commands/mode", "-m", R"({"id":"a1","mode":"eco","on":true})", "-q", "1"});
  Publish(broker, {"-t", "other/topic", "-m", "not ours"});
  Publish(broker, {"-t", "alfaspark/commands/eco_limit", "-f", testing::SourceDir() + "/README.md", "-q", "2"});
  // The bridge's side, from paho: a publication with QoS 1.
  auto paho = testing::Run({testing::SystemPython(), "-c",
                            "import paho.mqtt.publish as p; p.single('alfaspark/2A/telemetry', b'\\xff\\x00binary', qos=1, "
                            "hostname='127.0.0.1', port=" + std::to_string(broker.port()) + ")"});
  ASSERT_EQ(paho.exit_code, 0) << paho.err;
  auto done = recorder.Wait(20'000);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  const auto events = testing::ExportedEvents(db, "mqtt");
  ASSERT_EQ(events.size(), 4u) << "other/topic is outside alfaspark/#";
  EXPECT_EQ(events[0]["topic"], "alfaspark/master");
  EXPECT_EQ(events[0]["retained"], true);
  EXPECT_EQ(events[0]["dir"], "out") << "seen from the bridge: it publishes the master";
  EXPECT_EQ(events[1]["payload"], R"({"id":"a1","mode":"eco","on":true})");
  EXPECT_EQ(events[1]["qos"], 1);
  EXPECT_EQ(events[1]["dir"], "in");
  EXPECT_EQ(events[2]["payload"], testing::ReadFile(testing::SourceDir() + "/README.md")) << "a long payload, whole";
  EXPECT_EQ(events[3]["payload_hex"], "FF0062696E617279");
  auto verified = Packtwin({"verify", db});
  EXPECT_EQ(verified.exit_code, 0) << "in the hash chain like every event\n" << verified.out << verified.err;
}

TEST(RecordMqtt, ABrokerThatGoesAwayIsAGapAndRecordingGoesOnOnceItIsBack) {
  MosquittoBroker broker;
  ASSERT_TRUE(broker.ready());
  TempDir dir;
  const std::string db = dir.File("site.db");
  Child recorder({testing::PacktwinBinary(), "record", "-o", db, "--mqtt", broker.HostPort(), "--duration", "7s", "--quiet"});
  WaitForRecorder(db);
  Publish(broker, {"-t", "alfaspark/commands/request_status", "-m", R"({"id":"before"})", "-q", "1"});
  broker.Kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(broker.Restart());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the backoff brings it back
  Publish(broker, {"-t", "alfaspark/commands/request_status", "-m", R"({"id":"after"})", "-q", "1"});
  auto done = recorder.Wait(20'000);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  const auto mqtt = testing::ExportedEvents(db, "mqtt");
  ASSERT_EQ(mqtt.size(), 2u);
  EXPECT_EQ(mqtt[1]["payload"], R"({"id":"after"})");
  const auto gaps = testing::ExportedEvents(db, "gap");
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_NE(gaps[0]["reason"].get<std::string>().find("reconnecting"), std::string::npos) << gaps[0].dump();
  const auto notes = testing::ExportedEvents(db, "annotation");
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes.back()["text"].get<std::string>().find("reachable again"), std::string::npos) << notes.back().dump();
}

TEST(RecordMqtt, ABadSpecOrABrokerThatIsNotThereGetsAClearError) {
  TempDir dir;
  auto bad = Packtwin({"record", "-o", dir.File("a.db"), "--mqtt", "localhost", "--duration", "1s"});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("the form is HOST:PORT[/FILTER]"), std::string::npos) << bad.err;
  auto filter = Packtwin({"record", "-o", dir.File("b.db"), "--mqtt", "127.0.0.1:1883/a/#/b", "--duration", "1s"});
  EXPECT_EQ(filter.exit_code, 64);
  EXPECT_NE(filter.err.find("an MQTT topic filter"), std::string::npos) << filter.err;
  auto nobody = Packtwin({"record", "-o", dir.File("c.db"), "--mqtt", "127.0.0.1:" + std::to_string(testing::FreeTcpPort()),
                          "--duration", "1s"});
  EXPECT_NE(nobody.exit_code, 0);
  EXPECT_NE(nobody.err.find("is mosquitto running there?"), std::string::npos) << nobody.err;
}

TEST(ReplayMqtt, ALogsMessagesArePublishedAgainAtTheirPaceFilteredByDirectionAndTopic) {
  MosquittoBroker broker;
  ASSERT_TRUE(broker.ready());
  TempDir dir;
  const std::string db = dir.File("day.db");
  {
    eventlog::WriterOptions options;
    options.site = "bench";
    options.tool_version = "test";
    options.background_commits = false;
    options.durable = false;
    auto writer = eventlog::EventWriter::Create(db, options);
    ASSERT_TRUE(writer.ok());
    const std::vector<std::tuple<int64_t, std::string, std::string, v1::Direction>> messages = {
        {0, "alfaspark/commands/mode", R"({"id":"a","mode":"eco","on":true})", v1::DIRECTION_RX},
        {200, "alfaspark/2A/telemetry", R"({"node":42})", v1::DIRECTION_TX},
        {800, "alfaspark/commands/request_status", R"({"id":"b"})", v1::DIRECTION_RX}};
    for (const auto& [ms, topic, payload, direction] : messages) {
      v1::Event event;
      event.set_wall_time_ns(1'795'237'200'000'000'000 + ms * 1'000'000);
      event.set_capture_time_ns(event.wall_time_ns());
      event.set_source("mqtt:site");
      event.mutable_mqtt()->set_topic(topic);
      event.mutable_mqtt()->set_payload(payload);
      event.mutable_mqtt()->set_qos(1);
      event.mutable_mqtt()->set_direction(direction);
      ASSERT_TRUE((*writer)->Append(event).ok());
    }
    ASSERT_TRUE((*writer)->Close().ok());
  }
  Child app({"mosquitto_sub", "-p", std::to_string(broker.port()), "-t", "alfaspark/#", "-v", "-C", "2", "-W", "10"});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  auto replayed = Packtwin({"replay", db, "--mqtt", broker.HostPort(), "--direction", "in", "--json"});
  const auto took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_EQ(nlohmann::json::parse(replayed.out)["messages"], 2);
  EXPECT_GE(took_ms, 750) << "at the recorded pace: the second command 800 ms after the first";
  auto heard = app.Wait(15'000);
  EXPECT_EQ(heard.out,
            "alfaspark/commands/mode {\"id\":\"a\",\"mode\":\"eco\",\"on\":true}\n"
            "alfaspark/commands/request_status {\"id\":\"b\"}\n");
  auto topics = Packtwin({"replay", db, "--mqtt", broker.HostPort(), "--topics", "alfaspark/+/telemetry", "--speed", "10", "--json"});
  ASSERT_EQ(topics.exit_code, 0) << topics.err;
  EXPECT_EQ(nlohmann::json::parse(topics.out)["messages"], 1);
  auto none = Packtwin({"replay", db, "--mqtt", broker.HostPort(), "--topics", "nothing/#"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no MQTT messages on nothing/#"), std::string::npos) << none.err;
  auto mixed = Packtwin({"replay", db, "--mqtt", broker.HostPort(), "--to", "can0"});
  EXPECT_EQ(mixed.exit_code, 64) << mixed.err;
}

}  // namespace
}  // namespace packtwin
