#include "packtwin/recorder/source_factory.h"

#include <fmt/format.h>

#include "packtwin/recorder/modbus_tap_source.h"
#include "packtwin/recorder/modbus_tcp_proxy.h"
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
    TapSpec spec;
    std::string error;
    if (!ParseTapSpec(text, &spec, &error)) return Status::InvalidArgument(error);
    sources.push_back(std::make_unique<ModbusTapSource>(spec));
  }
  for (const auto& text : specs.tcp_proxies) {
    ProxySpec spec;
    std::string error;
    if (!ParseProxySpec(text, &spec, &error)) return Status::InvalidArgument(error);
    sources.push_back(std::make_unique<ModbusTcpProxy>(spec));
  }
  return sources;
}

}  // namespace packtwin::recorder
