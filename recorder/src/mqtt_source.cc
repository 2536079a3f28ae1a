#include "packtwin/recorder/mqtt_source.h"

#include <fmt/format.h>
#include <mosquitto.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "packtwin/bus/bridge_mqtt_codec.h"
#include "packtwin/bus/clock.h"

namespace packtwin::recorder {
namespace {

constexpr int kKeepalive_s = 30;
constexpr int64_t kFirstBackoff_ms = 500;
constexpr int64_t kMaxBackoff_ms = 30'000;
constexpr size_t kMaxPending = 100'000;  // messages a burst may queue before the log takes them

int64_t NowMs() { return bus::MonotonicNs() / 1'000'000; }

void InitLibrary() {
  // libmosquitto's global state, once per process.
  static const int initialised = mosquitto_lib_init();
  (void)initialised;
}

extern "C" void OnMessageThunk(mosquitto* /*m*/, void* self, const mosquitto_message* message) {
  if (message == nullptr || message->topic == nullptr) return;
  const std::string payload(static_cast<const char*>(message->payload), message->payload == nullptr ? 0 : static_cast<size_t>(message->payloadlen));
  static_cast<MqttSource*>(self)->OnMessage(message->topic, payload, message->qos, message->retain);
}

extern "C" void OnConnectThunk(mosquitto* /*m*/, void* self, int rc) { static_cast<MqttSource*>(self)->OnConnected(rc); }

// Seen from the bridge: a command topic comes in to it; the rest it published.
v1::Direction DirectionOf(const std::string& topic) { return bus::IsCommandTopic(topic) ? v1::DIRECTION_RX : v1::DIRECTION_TX; }

}  // namespace

std::variant<MqttSpec, ParseError> ParseMqttSpec(const std::string& text) {
  TextCursor cur(text);
  MqttSpec spec;
  const size_t slash = text.find('/');
  const std::string host_port = text.substr(0, slash);
  const size_t colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0) return cur.ErrorAt(0, "HOST:PORT");
  spec.host = host_port.substr(0, colon);
  cur.Seek(colon + 1);
  const auto port = cur.Decimal(5);
  if (!port || *port == 0 || *port > 65535 || cur.position() != host_port.size()) return cur.ErrorAt(colon + 1, "a port 1..65535");
  spec.port = static_cast<int>(*port);
  if (slash != std::string::npos) {
    spec.filter = text.substr(slash + 1);
    if (spec.filter.empty() || mosquitto_sub_topic_check(spec.filter.c_str()) != MOSQ_ERR_SUCCESS) {
      return cur.ErrorAt(slash + 1, "an MQTT topic filter like alfaspark/# after '/'");
    }
  }
  return spec;
}

MqttSource::MqttSource(MqttSpec spec)
    : spec_(std::move(spec)),
      name_(fmt::format("mqtt:{}:{}", spec_.host, spec_.port)),
      client_id_(fmt::format("packtwin-record-{}", ::getpid())) {}

MqttSource::~MqttSource() { Stop(); }

std::string MqttSource::config_json() const {
  return nlohmann::json{{"kind", "mqtt"}, {"host", spec_.host}, {"port", spec_.port}, {"filter", spec_.filter},
                        {"client_id", client_id_}, {"qos", 1}}
      .dump();
}

Status MqttSource::Start() {
  InitLibrary();
  // A clean session: a recorder wants what happens from now on, not a backlog.
  mosq_ = mosquitto_new(client_id_.c_str(), true, this);
  if (mosq_ == nullptr) return Status::Failed("cannot create an MQTT client (out of memory?)");
  mosquitto_message_callback_set(mosq_, OnMessageThunk);
  mosquitto_connect_callback_set(mosq_, OnConnectThunk);
  const int rc = mosquitto_connect(mosq_, spec_.host.c_str(), spec_.port, kKeepalive_s);
  if (rc != MOSQ_ERR_SUCCESS) {
    return Status::IoError(fmt::format("--mqtt {}:{}: cannot connect to the broker: {}; is mosquitto running there?",
                                       spec_.host, spec_.port, rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc)));
  }
  connected_ = true;
  return Status::Ok();
}

void MqttSource::OnConnected(int rc) {
  if (rc != 0) {
    Lost(fmt::format("the broker refused the connection: {}", mosquitto_connack_string(rc)));
    return;
  }
  // Subscribed on every (re)connection: the session is clean.
  mosquitto_subscribe(mosq_, nullptr, spec_.filter.c_str(), 1);
}

void MqttSource::OnMessage(const std::string& topic, const std::string& payload, int qos, bool retained) {
  if (pending_.size() >= kMaxPending) {
    ++stats_.frames_lost;
    return;
  }
  v1::Event event = NewEvent(name_);
  bus::ToStoredMqtt({topic, payload, retained, qos}, DirectionOf(topic), client_id_, event.mutable_mqtt());
  pending_.push_back(std::move(event));
}

std::vector<int> MqttSource::fds() const {
  if (mosq_ == nullptr || !connected_) return {};
  const int fd = mosquitto_socket(mosq_);
  return fd >= 0 ? std::vector<int>{fd} : std::vector<int>{};
}

Status MqttSource::Emit(const EventSink& sink) {
  // Bounded by the queue, which only this thread fills.
  while (!pending_.empty()) {
    auto seq = sink(std::move(pending_.front()));
    pending_.pop_front();
    if (!seq.ok()) return seq.status();
    ++stats_.events;
  }
  return Status::Ok();
}

void MqttSource::Lost(const std::string& why) {
  if (!lost_reason_.empty()) return;
  connected_ = false;
  lost_reason_ = why;
  gap_recorded_ = false;
  lost_at_ms_ = NowMs();
  backoff_ms_ = kFirstBackoff_ms;
  retry_at_ms_ = lost_at_ms_ + backoff_ms_;
}

Status MqttSource::OnReadable(int /*fd*/, short /*revents*/, const EventSink& sink) {
  const int rc = mosquitto_loop_read(mosq_, 1);
  PACKTWIN_RETURN_IF_ERROR(Emit(sink));
  if (rc != MOSQ_ERR_SUCCESS) Lost(rc == MOSQ_ERR_CONN_LOST ? "the broker closed the connection" : mosquitto_strerror(rc));
  return OnTick(sink);
}

Status MqttSource::TryReconnect(const EventSink& sink) {
  if (NowMs() < retry_at_ms_) return Status::Ok();
  if (mosquitto_reconnect(mosq_) != MOSQ_ERR_SUCCESS) {
    backoff_ms_ = std::min(backoff_ms_ * 2, kMaxBackoff_ms);
    retry_at_ms_ = NowMs() + backoff_ms_;
    return Status::Ok();
  }
  connected_ = true;
  v1::Event back = NewEvent(name_);
  back.mutable_annotation()->set_text(
      fmt::format("MQTT broker {}:{} reachable again after {} ms; messages meanwhile were not recorded", spec_.host, spec_.port,
                  NowMs() - lost_at_ms_));
  lost_reason_.clear();
  auto seq = sink(std::move(back));
  return seq.ok() ? Status::Ok() : seq.status();
}

Status MqttSource::OnTick(const EventSink& sink) {
  if (mosq_ == nullptr) return Status::Ok();
  if (connected_) {
    int rc = mosquitto_loop_misc(mosq_);
    if (rc == MOSQ_ERR_SUCCESS && mosquitto_want_write(mosq_)) rc = mosquitto_loop_write(mosq_, 1);
    if (rc != MOSQ_ERR_SUCCESS) Lost(rc == MOSQ_ERR_NO_CONN ? "the connection to the broker dropped" : mosquitto_strerror(rc));
  }
  PACKTWIN_RETURN_IF_ERROR(Emit(sink));
  if (!connected_ && !lost_reason_.empty()) {
    if (!gap_recorded_) {
      // The gap begins: said once, as it happens.
      v1::Event gap = NewEvent(name_);
      gap.mutable_gap()->set_source(name_);
      gap.mutable_gap()->set_reason(fmt::format("MQTT broker {}:{}: {}; reconnecting", spec_.host, spec_.port, lost_reason_));
      ++stats_.gaps;
      gap_recorded_ = true;
      auto seq = sink(std::move(gap));
      if (!seq.ok()) return seq.status();
    }
    return TryReconnect(sink);
  }
  return Status::Ok();
}

void MqttSource::Stop() {
  if (mosq_ == nullptr) return;
  if (connected_) mosquitto_disconnect(mosq_);
  mosquitto_destroy(mosq_);
  mosq_ = nullptr;
  connected_ = false;
}

}  // namespace packtwin::recorder
