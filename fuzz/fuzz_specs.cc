// What users type: times, durations, id ranges, source and target specs.
#include <cstddef>
#include <cstdint>
#include <string>

#include "packtwin/eventlog/id_ranges.h"
#include "packtwin/base/time_spec.h"
#include "packtwin/recorder/modbus_tap_source.h"
#include "packtwin/recorder/modbus_tcp_proxy.h"
#include "packtwin/bus/can_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto spec = packtwin::ParseTimeSpec(text);
  if (auto* time = std::get_if<packtwin::TimeSpec>(&spec)) {
    (void)time->Resolve(0);
    (void)time->Resolve(INT64_MAX);
    (void)time->Resolve(INT64_MIN);
    (void)packtwin::FormatUtc(time->Resolve(1'795'237'200'000'000'000));
  }
  (void)packtwin::ParseDurationMs(text, true, true);
  (void)packtwin::eventlog::IdRanges::Parse(text);
  (void)packtwin::bus::ParseCanBusSpec(text);
  (void)packtwin::recorder::ParseTapSpec(text);
  (void)packtwin::recorder::ParseProxySpec(text);
  return 0;
}
