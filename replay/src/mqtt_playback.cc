#include "packtwin/replay/mqtt_playback.h"

#include <fmt/format.h>
#include <mosquitto.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "log_window.h"
#include "packtwin/bus/clock.h"
#include "packtwin/eventlog/event_reader.h"

namespace packtwin::replay {
namespace {

struct Scheduled {
  int64_t offset_ns = 0;
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retained = false;
};

bool Wanted(const MqttPlaybackRequest& request, const v1::MqttMessage& m) {
  if (request.direction == MqttDirection::kIn && m.direction() != v1::DIRECTION_RX) return false;
  if (request.direction == MqttDirection::kOut && m.direction() != v1::DIRECTION_TX) return false;
  bool matches = false;
  return mosquitto_topic_matches_sub(request.topics.c_str(), m.topic().c_str(), &matches) == MOSQ_ERR_SUCCESS && matches;
}

Result<std::vector<Scheduled>> Load(const MqttPlaybackRequest& request) {
  std::vector<Scheduled> messages;
  int64_t first_ns = 0;
  Status walked = ForEachInWindow(request.db, request.from, request.until, [&](const eventlog::StoredEvent& row, const v1::Event& event) {
    if (!event.has_mqtt() || !Wanted(request, event.mqtt())) return;
    if (messages.empty()) first_ns = row.wall_ns;
    const auto& m = event.mqtt();
    messages.push_back({row.wall_ns - first_ns, m.topic(), m.payload(), static_cast<int>(std::min<uint32_t>(m.qos(), 2)), m.retained()});
  });
  if (!walked.ok()) return walked;
  if (messages.empty()) {
    return Status::NotFound(fmt::format("{}: no MQTT messages{} to replay (record them with record --mqtt or packtwin bridge)",
                                        request.db, request.topics == "#" ? "" : " on " + request.topics));
  }
  return messages;
}

}  // namespace

Result<MqttPlaybackReport> PlayMqtt(const MqttPlaybackRequest& request, const std::function<bool()>& stop_requested) {
  if (request.speed <= 0) return Status::InvalidArgument("--speed must be above 0");
  bool valid_filter = mosquitto_sub_topic_check(request.topics.c_str()) == MOSQ_ERR_SUCCESS;
  if (!valid_filter) return Status::InvalidArgument(fmt::format("--topics '{}': not an MQTT topic filter (e.g. alfaspark/#)", request.topics));
  auto messages = Load(request);
  if (!messages.ok()) return messages.status();
  static const int initialised = mosquitto_lib_init();
  (void)initialised;
  const std::string client_id = fmt::format("packtwin-replay-{}", ::getpid());
  std::unique_ptr<mosquitto, void (*)(mosquitto*)> mosq(mosquitto_new(client_id.c_str(), true, nullptr), mosquitto_destroy);
  if (!mosq) return Status::Failed("cannot create an MQTT client");
  int rc = mosquitto_connect(mosq.get(), request.host.c_str(), request.port, 30);
  if (rc != MOSQ_ERR_SUCCESS) {
    return Status::IoError(fmt::format("--mqtt {}:{}: cannot connect to the broker: {}; is mosquitto running there?", request.host,
                                       request.port, rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc)));
  }
  mosquitto_loop_start(mosq.get());  // libmosquitto's own thread sends and acknowledges
  MqttPlaybackReport report;
  const int64_t anchor_ns = bus::MonotonicNs();
  for (const auto& m : *messages) {
    const auto due_ns = anchor_ns + static_cast<int64_t>(static_cast<double>(m.offset_ns) / request.speed);
    if (!WaitUntil(due_ns, stop_requested)) {
      report.interrupted = true;
      break;
    }
    rc = mosquitto_publish(mosq.get(), nullptr, m.topic.c_str(), static_cast<int>(m.payload.size()), m.payload.data(), m.qos, m.retained);
    if (rc != MOSQ_ERR_SUCCESS) {
      mosquitto_loop_stop(mosq.get(), true);
      return Status::IoError(fmt::format("publishing {} after {} messages: {}", m.topic, report.messages, mosquitto_strerror(rc)));
    }
    report.error_max_us = std::max(report.error_max_us, (bus::MonotonicNs() - due_ns) / 1000);
    ++report.messages;
  }
  // What is queued goes out before the connection closes.
  mosquitto_disconnect(mosq.get());
  mosquitto_loop_stop(mosq.get(), false);
  return report;
}

}  // namespace packtwin::replay
