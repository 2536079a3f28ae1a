#include "packtwin/recorder/bridge_runtime.h"

#include <fmt/format.h>
#include <mosquitto.h>
#include <poll.h>
#include <sys/timex.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <variant>

#include "packtwin/bus/bridge_mqtt_codec.h"
#include "packtwin/bus/clock.h"
#include "packtwin/bus/firmware_frame.h"
#include "packtwin/bus/serial_port.h"
#include "packtwin/bus/slcan_codec.h"
#include "packtwin/bus/socketcan.h"
#include "packtwin/eventlog/event_writer.h"
#include "packtwin/firmware/bridge_reducer.h"

namespace packtwin::recorder {
namespace {

constexpr int kTickMs = 20;
constexpr int kKeepalive_s = 30;
constexpr int64_t kFirstBackoff_ms = 500;
constexpr int64_t kMaxBackoff_ms = 30'000;
constexpr const char* kClientId = "alfaspark-bridge";
constexpr const char* kCommandFilter = "alfaspark/commands/+";

int64_t NowMs() { return bus::MonotonicNs() / 1'000'000; }

// The host clock is NTP-synchronised when the kernel says it is not unsynchronised.
bool NtpSynced() {
  timex tx{};
  return ::adjtimex(&tx) != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

// The adapter on the bus, slcan or SocketCAN, both directions.
class CanLink {
 public:
  static Result<std::unique_ptr<CanLink>> Open(const bus::CanBusSpec& spec) {
    auto link = std::unique_ptr<CanLink>(new CanLink(spec));
    if (spec.kind == bus::CanBusKind::kSlcan) {
      auto port = bus::SerialPort::Open(spec.device, 115200);
      if (!port.ok()) return port.status();
      PACKTWIN_RETURN_IF_ERROR(port->Write(std::string(bus::kSlcanClose) + "\r" + bus::SlcanBitrateCommand(spec.bitrate_bps) +
                                           "\r" + bus::kSlcanOpen + "\r"));
      link->port_.emplace(std::move(*port));
    } else {
      auto socket = bus::CanSocket::Open(spec.device, bus::CanSocket::Use::kCapture);
      if (!socket.ok()) return socket.status();
      link->socket_.emplace(std::move(*socket));
    }
    return link;
  }
  ~CanLink() {
    if (port_) (void)port_->Write(std::string(bus::kSlcanClose) + "\r");
  }
  int fd() const { return port_ ? port_->fd() : socket_->fd(); }
  const std::string& name() const { return name_; }

  // Frames that arrived; an error when the adapter is gone.
  Status Read(std::vector<v1::CanFrame>* frames) {
    if (socket_) {
      // Bounded: the socket is non-blocking and the kernel's queue finite.
      for (int i = 0; i < 1024; ++i) {
        auto got = socket_->Read();
        if (!got.ok()) return got.status();
        if (!got->has_value()) break;
        frames->push_back((*got)->frame);
      }
      return Status::Ok();
    }
    uint8_t buffer[512];
    auto n = port_->Read(buffer, sizeof buffer);
    if (!n.ok()) return n.status();
    if (*n == 0) return Status::IoError(fmt::format("{}: the adapter is gone", name_));
    parser_.Feed(buffer, *n, [&](const bus::SlcanItem& item) {
      if (const auto* f = std::get_if<bus::SlcanFrame>(&item)) frames->push_back(f->frame);
    });
    return Status::Ok();
  }

  Status Send(const v1::CanFrame& frame) {
    if (socket_) return socket_->Write(frame);
    return port_->Write(bus::SlcanTransmitLine(frame) + "\r");
  }

 private:
  explicit CanLink(const bus::CanBusSpec& spec)
      : name_(spec.kind == bus::CanBusKind::kSlcan ? "slcan:" + spec.device : spec.device) {}
  std::string name_;
  std::optional<bus::SerialPort> port_;
  std::optional<bus::CanSocket> socket_;
  bus::SlcanParser parser_;
};

// The bridge's MQTT client: persistent session, QoS 1, last will `offline`.
class BridgeMqtt {
 public:
  explicit BridgeMqtt(const MqttSpec& spec) : spec_(spec) {}
  ~BridgeMqtt() {
    if (mosq_ != nullptr) {
      if (connected_) mosquitto_disconnect(mosq_);
      mosquitto_destroy(mosq_);
    }
  }
  Status Create() {
    static const int initialised = mosquitto_lib_init();
    (void)initialised;
    mosq_ = mosquitto_new(kClientId, false, this);
    if (mosq_ == nullptr) return Status::Failed("cannot create the MQTT client");
    mosquitto_message_callback_set(mosq_, [](mosquitto*, void* self, const mosquitto_message* m) {
      if (m == nullptr || m->topic == nullptr) return;
      static_cast<BridgeMqtt*>(self)->inbox_.push_back(
          {m->topic, std::string(static_cast<const char*>(m->payload), m->payload ? static_cast<size_t>(m->payloadlen) : 0),
           m->qos, m->retain});
    });
    mosquitto_connect_callback_set(mosq_, [](mosquitto* mosq, void* self, int rc) {
      auto* me = static_cast<BridgeMqtt*>(self);
      if (rc != 0) return;
      mosquitto_subscribe(mosq, nullptr, kCommandFilter, 1);
      me->just_connected_ = true;
    });
    const char* offline = "offline";
    mosquitto_will_set(mosq_, bus::kBridgeStatusTopic, static_cast<int>(std::strlen(offline)), offline, 1, true);
    return Status::Ok();
  }
  // Connects (or reconnects) when due; false while the broker is away.
  bool Connect() {
    if (connected_) return true;
    if (NowMs() < retry_at_ms_) return false;
    const int rc = first_ ? mosquitto_connect(mosq_, spec_.host.c_str(), spec_.port, kKeepalive_s) : mosquitto_reconnect(mosq_);
    first_ = false;
    if (rc != MOSQ_ERR_SUCCESS) {
      last_error_ = rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc);
      backoff_ms_ = backoff_ms_ == 0 ? kFirstBackoff_ms : std::min(backoff_ms_ * 2, kMaxBackoff_ms);
      retry_at_ms_ = NowMs() + backoff_ms_;
      return false;
    }
    backoff_ms_ = 0;
    connected_ = true;
    return true;
  }
  int fd() const { return connected_ ? mosquitto_socket(mosq_) : -1; }
  // Reads and keeps the connection alive; false when it dropped.
  bool Service(bool readable) {
    if (!connected_) return false;
    int rc = readable ? mosquitto_loop_read(mosq_, 1) : MOSQ_ERR_SUCCESS;
    if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_loop_misc(mosq_);
    if (rc == MOSQ_ERR_SUCCESS && mosquitto_want_write(mosq_)) rc = mosquitto_loop_write(mosq_, 1);
    if (rc != MOSQ_ERR_SUCCESS) {
      last_error_ = rc == MOSQ_ERR_CONN_LOST ? "the broker closed the connection" : mosquitto_strerror(rc);
      connected_ = false;
      retry_at_ms_ = NowMs() + kFirstBackoff_ms;
      backoff_ms_ = kFirstBackoff_ms;
    }
    return connected_;
  }
  bool Publish(const bus::MqttMessageOut& out) {
    if (!connected_) return false;
    return mosquitto_publish(mosq_, nullptr, out.topic.c_str(), static_cast<int>(out.payload.size()), out.payload.data(), out.qos,
                             out.retained) == MOSQ_ERR_SUCCESS;
  }
  bool TakeJustConnected() {
    const bool was = just_connected_;
    just_connected_ = false;
    return was;
  }
  struct Inbound {
    std::string topic, payload;
    int qos = 0;
    bool retained = false;
  };
  std::deque<Inbound>& inbox() { return inbox_; }
  bool connected() const { return connected_; }
  const std::string& last_error() const { return last_error_; }

 private:
  MqttSpec spec_;
  mosquitto* mosq_ = nullptr;
  bool connected_ = false;
  bool first_ = true;
  bool just_connected_ = false;
  int64_t retry_at_ms_ = 0;
  int64_t backoff_ms_ = 0;
  std::string last_error_;
  std::deque<Inbound> inbox_;
};

class Bridge {
 public:
  Bridge(const BridgeRunOptions& options, const std::function<void(const std::string&)>& warn)
      : options_(options), warn_(warn), mqtt_(options.mqtt), mqtt_name_(fmt::format("mqtt:{}:{}", options.mqtt.host, options.mqtt.port)) {}

  Result<BridgeRunSummary> Run() {
    PACKTWIN_RETURN_IF_ERROR(OpenLog());
    auto can = CanLink::Open(options_.can);
    if (!can.ok()) return can.status().Context("cannot open the CAN adapter: ");
    can_ = std::move(*can);
    PACKTWIN_RETURN_IF_ERROR(mqtt_.Create());
    firmware::BridgeConfig config;
    config.serial_lo = options_.serial_lo;
    config.defects = options_.defects;
    state_ = std::make_unique<firmware::BridgeState>();
    firmware::BridgeInit(state_.get(), config);
    PACKTWIN_RETURN_IF_ERROR(Loop());
    PACKTWIN_RETURN_IF_ERROR(CloseLog());
    return summary_;
  }

 private:
  Status OpenLog() {
    std::error_code ec;
    if (options_.force) std::filesystem::remove(options_.output, ec);
    eventlog::WriterOptions writer_options;
    writer_options.site = options_.site;
    writer_options.tool_version = options_.tool_version;
    writer_options.commit_interval_ms = 100;  // the recorder's bound: a crash loses at most this
    auto writer = eventlog::EventWriter::Create(options_.output, writer_options);
    if (!writer.ok()) return writer.status();
    writer_ = std::move(*writer);
    v1::Event start = Stamp("bridge");
    auto* s = start.mutable_capture_start();
    s->set_tool_version(options_.tool_version);
    s->add_sources(options_.can.kind == bus::CanBusKind::kSlcan ? "slcan:" + options_.can.device : options_.can.device);
    s->add_sources(mqtt_name_);
    s->set_configuration(nlohmann::json{{"bridge", {{"mqtt", fmt::format("{}:{}", options_.mqtt.host, options_.mqtt.port)},
                                                    {"client_id", kClientId},
                                                    {"defects", options_.defects}}}}
                             .dump());
    return Append(std::move(start));
  }

  Status CloseLog() {
    v1::Event stop = Stamp("bridge");
    stop.mutable_capture_stop()->set_reason(summary_.stop_reason);
    stop.mutable_capture_stop()->set_events(summary_.events + 1);
    PACKTWIN_RETURN_IF_ERROR(Append(std::move(stop)));
    PACKTWIN_RETURN_IF_ERROR(writer_->SetMeta(eventlog::meta_key::kStoppedNs, std::to_string(bus::WallNs())));
    return writer_->Close();
  }

  static v1::Event Stamp(const std::string& source) {
    v1::Event event;
    event.set_capture_time_ns(bus::MonotonicNs());
    event.set_wall_time_ns(bus::WallNs());
    event.set_source(source);
    return event;
  }

  Status Append(v1::Event event) {
    auto seq = writer_->Append(event);
    if (!seq.ok()) return seq.status();
    ++summary_.events;
    return Status::Ok();
  }

  firmware::BridgeClock Clock() const {
    firmware::BridgeClock clock;
    clock.now_ms = static_cast<uint64_t>(NowMs());
    clock.wall_ms = bus::WallNs() / 1'000'000;
    clock.ntp_synced = ntp_synced_;
    return clock;
  }

  Status RecordMqtt(const std::string& topic, const std::string& payload, int qos, bool retained, v1::Direction direction) {
    v1::Event event = Stamp(mqtt_name_);
    bus::ToStoredMqtt({topic, payload, retained, qos}, direction, kClientId, event.mutable_mqtt());
    (direction == v1::DIRECTION_RX ? summary_.mqtt_in : summary_.mqtt_out) += 1;
    return Append(std::move(event));
  }

  // Carries out what the reducer asked for, and records it.
  Status Carry(const firmware::BridgeOutputs& out) {
    for (uint8_t i = 0; i < out.can_count; ++i) {
      v1::Event event = bus::EventFromFirmwareFrame(out.can[i], bus::WallNs(), can_->name());
      event.set_capture_time_ns(bus::MonotonicNs());
      event.set_source(can_->name());
      event.mutable_can_frame()->set_direction(v1::DIRECTION_TX);
      if (Status sent = can_->Send(event.can_frame()); !sent.ok()) {
        if (warn_) warn_(sent.message());
      }
      ++summary_.can_out;
      PACKTWIN_RETURN_IF_ERROR(Append(std::move(event)));
    }
    for (uint8_t i = 0; i < out.publication_count; ++i) {
      const bus::MqttMessageOut message = bus::EncodePublication(out.publications[i]);
      if (!mqtt_.Publish(message)) {
        // The broker is away: the log keeps what the bridge would have said.
        v1::Event note = Stamp(mqtt_name_);
        note.mutable_annotation()->set_text(fmt::format("not published (broker away): {} {}", message.topic, message.payload));
        PACKTWIN_RETURN_IF_ERROR(Append(std::move(note)));
        continue;
      }
      PACKTWIN_RETURN_IF_ERROR(RecordMqtt(message.topic, message.payload, message.qos, message.retained, v1::DIRECTION_TX));
    }
    return Status::Ok();
  }

  Status Step(const std::function<void(firmware::BridgeOutputs*)>& input) {
    firmware::BridgeOutputs out;
    firmware::BridgeTick(state_.get(), Clock(), &out);
    if (input) input(&out);
    return Carry(out);
  }

  Status OnCanReadable() {
    std::vector<v1::CanFrame> frames;
    Status read = can_->Read(&frames);
    for (auto& frame : frames) {
      frame.set_channel(can_->name());
      frame.set_direction(v1::DIRECTION_RX);
      v1::Event event = Stamp(can_->name());
      *event.mutable_can_frame() = frame;
      ++summary_.can_in;
      PACKTWIN_RETURN_IF_ERROR(Append(event));
      const auto firmware_frame = bus::ToFirmwareFrame(frame);
      if (!firmware_frame) continue;
      PACKTWIN_RETURN_IF_ERROR(Step([&](firmware::BridgeOutputs* out) {
        firmware::BridgeOnCanFrame(state_.get(), *firmware_frame, Clock(), out);
      }));
    }
    if (!read.ok()) return AdapterGone(read.message());
    return Status::Ok();
  }

  // Said on the status topic (retained) and in the log; MQTT goes on.
  Status AdapterGone(const std::string& why) {
    can_lost_ = true;
    v1::Event note = Stamp(can_->name());
    note.mutable_gap()->set_source(can_->name());
    note.mutable_gap()->set_reason(why);
    PACKTWIN_RETURN_IF_ERROR(Append(std::move(note)));
    const std::string status = "can_down: " + why;
    mqtt_.Publish({bus::kBridgeStatusTopic, status, true, 1});
    return RecordMqtt(bus::kBridgeStatusTopic, status, 1, true, v1::DIRECTION_TX);
  }

  Status OnMqtt() {
    auto& inbox = mqtt_.inbox();
    // Bounded by what the broker delivered in this read.
    while (!inbox.empty()) {
      BridgeMqtt::Inbound in = std::move(inbox.front());
      inbox.pop_front();
      // Its own results, back through alfaspark/commands/+: recorded when sent.
      if (!bus::IsCommandTopic(in.topic)) continue;
      PACKTWIN_RETURN_IF_ERROR(RecordMqtt(in.topic, in.payload, in.qos, in.retained, v1::DIRECTION_RX));
      const bus::DecodedCommand decoded = bus::DecodeAppCommand(in.topic, in.payload);
      PACKTWIN_RETURN_IF_ERROR(Step([&](firmware::BridgeOutputs* out) {
        if (const auto* command = std::get_if<firmware::BridgeCommand>(&decoded)) {
          ++summary_.commands;
          firmware::BridgeOnCommand(state_.get(), *command, Clock(), out);
        } else {
          ++summary_.invalid_commands;
          firmware::BridgeOnInvalidCommand(state_.get(), std::get<firmware::BridgeInvalid>(decoded), Clock(), out);
        }
      }));
    }
    return Status::Ok();
  }

  Status ServiceBroker(bool readable) {
    const bool was = mqtt_.connected();
    if (!was && mqtt_.Connect()) {
      if (broker_gap_open_) {
        v1::Event note = Stamp(mqtt_name_);
        note.mutable_annotation()->set_text(fmt::format("MQTT broker {} reachable again", mqtt_name_));
        PACKTWIN_RETURN_IF_ERROR(Append(std::move(note)));
        broker_gap_open_ = false;
      }
    }
    if (mqtt_.connected() && !mqtt_.Service(readable) && !broker_gap_open_) {
      broker_gap_open_ = true;
      ++summary_.broker_gaps;
      v1::Event gap = Stamp(mqtt_name_);
      gap.mutable_gap()->set_source(mqtt_name_);
      gap.mutable_gap()->set_reason(fmt::format("MQTT broker: {}; CAN goes on being recorded, reconnecting", mqtt_.last_error()));
      PACKTWIN_RETURN_IF_ERROR(Append(std::move(gap)));
      if (warn_) warn_(fmt::format("{}: {}; reconnecting", mqtt_name_, mqtt_.last_error()));
    }
    if (!mqtt_.connected() && !broker_gap_open_ && !first_connect_reported_) {
      first_connect_reported_ = true;
      broker_gap_open_ = true;
      ++summary_.broker_gaps;
      v1::Event gap = Stamp(mqtt_name_);
      gap.mutable_gap()->set_source(mqtt_name_);
      gap.mutable_gap()->set_reason(fmt::format("MQTT broker not reachable: {}; CAN is recorded, retrying", mqtt_.last_error()));
      PACKTWIN_RETURN_IF_ERROR(Append(std::move(gap)));
      if (warn_) warn_(fmt::format("{}: {}; retrying", mqtt_name_, mqtt_.last_error()));
    }
    if (mqtt_.connected()) first_connect_reported_ = true;
    if (mqtt_.TakeJustConnected()) {
      PACKTWIN_RETURN_IF_ERROR(
          Step([&](firmware::BridgeOutputs* out) { firmware::BridgeOnMqttConnected(state_.get(), Clock(), out); }));
    }
    return OnMqtt();
  }

  Status Loop() {
    const int64_t start_ms = NowMs();
    int64_t next_ntp_check_ms = 0;
    // Bounded by the duration or the stop signal; each pass waits at most one tick.
    while (true) {
      if (NowMs() >= next_ntp_check_ms) {
        ntp_synced_ = NtpSynced();
        next_ntp_check_ms = NowMs() + 10'000;
      }
      std::vector<pollfd> fds;
      if (options_.stop_fd >= 0) fds.push_back({options_.stop_fd, POLLIN, 0});
      const size_t can_at = fds.size();
      if (!can_lost_) fds.push_back({can_->fd(), POLLIN, 0});
      const size_t mqtt_at = fds.size();
      if (mqtt_.fd() >= 0) fds.push_back({mqtt_.fd(), POLLIN, 0});
      const int ready = ::poll(fds.data(), fds.size(), kTickMs);
      if (ready < 0 && errno != EINTR) return Status::IoError(fmt::format("poll failed: {}", std::strerror(errno)));
      if (options_.stop_fd >= 0 && ready > 0 && fds[0].revents != 0) {
        summary_.stop_reason = "stopped";
        return Status::Ok();
      }
      if (!can_lost_ && ready > 0 && fds[can_at].revents != 0) PACKTWIN_RETURN_IF_ERROR(OnCanReadable());
      const bool mqtt_readable = mqtt_at < fds.size() && ready > 0 && fds[mqtt_at].revents != 0;
      PACKTWIN_RETURN_IF_ERROR(ServiceBroker(mqtt_readable));
      PACKTWIN_RETURN_IF_ERROR(Step({}));
      if (options_.duration_ms > 0 && NowMs() - start_ms >= options_.duration_ms) {
        summary_.stop_reason = "duration reached";
        return Status::Ok();
      }
    }
  }

  const BridgeRunOptions& options_;
  const std::function<void(const std::string&)>& warn_;
  BridgeMqtt mqtt_;
  std::string mqtt_name_;
  std::unique_ptr<CanLink> can_;
  std::unique_ptr<eventlog::EventWriter> writer_;
  std::unique_ptr<firmware::BridgeState> state_;
  BridgeRunSummary summary_;
  bool ntp_synced_ = false;
  bool can_lost_ = false;
  bool broker_gap_open_ = false;
  bool first_connect_reported_ = false;
};

}  // namespace

Result<BridgeRunSummary> RunBridge(const BridgeRunOptions& options, const std::function<void(const std::string&)>& warn) {
  return Bridge(options, warn).Run();
}

}  // namespace packtwin::recorder
