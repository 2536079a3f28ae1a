// `record --mqtt HOST:PORT[/FILTER]`: a passive subscriber on the site's
// broker (libmosquitto) that records every message matching FILTER (default
// alfaspark/#) as an mqtt event. A broker that goes away is a gap in the log;
// the source reconnects with backoff and notes when it is back.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "packtwin/base/status.h"
#include "packtwin/base/text_cursor.h"
#include "packtwin/recorder/source.h"

struct mosquitto;

namespace packtwin::recorder {

struct MqttSpec {
  std::string host;
  int port = 1883;
  std::string filter = "alfaspark/#";
};

// "127.0.0.1:1883", "broker.local:1883/alfaspark/#"
std::variant<MqttSpec, ParseError> ParseMqttSpec(const std::string& text);

class MqttSource : public Source {
 public:
  explicit MqttSource(MqttSpec spec);
  ~MqttSource() override;
  const std::string& name() const override { return name_; }
  std::string config_json() const override;
  Status Start() override;
  std::vector<int> fds() const override;
  Status OnReadable(int fd, short revents, const EventSink& sink) override;
  Status OnTick(const EventSink& sink) override;
  void Stop() override;

  // libmosquitto's callbacks land here.
  void OnMessage(const std::string& topic, const std::string& payload, int qos, bool retained);
  void OnConnected(int rc);

 private:
  Status Emit(const EventSink& sink);
  void Lost(const std::string& why);
  Status TryReconnect(const EventSink& sink);

  MqttSpec spec_;
  std::string name_;
  std::string client_id_;
  mosquitto* mosq_ = nullptr;
  bool connected_ = false;
  std::deque<v1::Event> pending_;
  std::string lost_reason_;   // set when the connection went
  bool gap_recorded_ = false;
  int64_t lost_at_ms_ = 0;
  int64_t retry_at_ms_ = 0;
  int64_t backoff_ms_ = 0;
};

}  // namespace packtwin::recorder
