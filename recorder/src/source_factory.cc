#include "packtwin/recorder/source_factory.h"

#include <fmt/format.h>

#include "packtwin/recorder/modbus_tap_source.h"
#include "packtwin/recorder/modbus_tcp_proxy.h"
#include "packtwin/recorder/mqtt_source.h"
#include "packtwin/recorder/slcan_source.h"
#include "packtwin/recorder/socketcan_source.h"
#include "packtwin/bus/can_spec.h"

namespace packtwin::recorder {

Result<std::vector<std::unique_ptr<Source>>> MakeSources(const SourceSpecs& specs) {
  std::vector<std::unique_ptr<Source>> sources;
  for (const auto& text : specs.can) {
    auto parsed = bus::ParseCanBusSpec(text);
    if (auto* error = std::get_if<ParseError>(&parsed)) {
      return Status::InvalidArgument(fmt::format("--can '{}': {}", text, error->Describe()));
    }
    auto spec = std::get<bus::CanBusSpec>(parsed);
    if (spec.kind == bus::CanBusKind::kSlcan) {
      sources.push_back(std::make_unique<SlcanSource>(spec));
    } else {
      sources.push_back(std::make_unique<SocketCanSource>(spec.device));
    }
  }
  for (const auto& text : specs.modbus_taps) {
    auto spec = ParseTapSpec(text);
    if (const auto* error = std::get_if<ParseError>(&spec)) {
      return Status::InvalidArgument(
          fmt::format("--modbus-tap '{}': {}; e.g. /dev/ttyUSB0@9600,timeout=1s", text, error->Describe()));
    }
    sources.push_back(std::make_unique<ModbusTapSource>(std::get<TapSpec>(spec)));
  }
  for (const auto& text : specs.tcp_proxies) {
    auto spec = ParseProxySpec(text);
    if (const auto* error = std::get_if<ParseError>(&spec)) {
      return Status::InvalidArgument(fmt::format(
          "--modbus-tcp-proxy '{}': {}; the form is LISTEN=TARGET[,timeout=DURATION], e.g. 127.0.0.1:1502=127.0.0.1:502,timeout=5s",
          text, error->Describe()));
    }
    sources.push_back(std::make_unique<ModbusTcpProxy>(std::get<ProxySpec>(spec)));
  }
  for (const auto& text : specs.mqtt) {
    auto spec = ParseMqttSpec(text);
    if (const auto* error = std::get_if<ParseError>(&spec)) {
      return Status::InvalidArgument(fmt::format(
          "--mqtt '{}': {}; the form is HOST:PORT[/FILTER], e.g. 127.0.0.1:1883 or 127.0.0.1:1883/alfaspark/#", text,
          error->Describe()));
    }
    sources.push_back(std::make_unique<MqttSource>(std::get<MqttSpec>(spec)));
  }
  return sources;
}

}  // namespace packtwin::recorder
