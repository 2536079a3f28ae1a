#include "packtwin/twin/frame_signals.h"

#include "packtwin/twin/typed_event.h"

namespace packtwin::twin {
namespace {

const char* ValueNameOf(const firmware::SignalSpec& signal, int64_t raw) {
  for (uint8_t i = 0; i < signal.value_count; ++i) {
    if (static_cast<int64_t>(signal.values[i].value) == raw) return signal.values[i].name;
  }
  return nullptr;
}

const char* StatusName(firmware::DecodeStatus status) {
  switch (status) {
    case firmware::DecodeStatus::kBadLength:
      return "bad_length";
    case firmware::DecodeStatus::kOutOfRange:
      return "out_of_range";
    default:
      return "not_decoded";
  }
}

}  // namespace

nlohmann::ordered_json PhysicalValue(const firmware::SignalSpec& signal, int64_t raw) {
  if (signal.scale_den == 1) return raw * signal.scale_num;
  return static_cast<double>(raw * signal.scale_num) / signal.scale_den;
}

void DescribeFrame(const v1::Event& event, nlohmann::ordered_json& out) {
  const TypedEvent typed = TypeEvent(event);
  if (!typed.frame || !typed.id.valid) return;
  const firmware::FrameSpec* spec = firmware::CanV1FrameSpec(typed.id.function);
  if (spec == nullptr) return;
  out["name"] = spec->name;
  out["node"] = typed.id.node;
  if (typed.status != firmware::DecodeStatus::kOk) {
    out["decode"] = StatusName(typed.status);
    return;
  }
  int64_t mux = 0;
  for (uint8_t i = 0; i < spec->signal_count; ++i) {
    if (spec->signals[i].multiplexor) firmware::SignalRaw(spec->signals[i], *typed.frame, &mux);
  }
  nlohmann::ordered_json signals = nlohmann::ordered_json::object();
  nlohmann::ordered_json values = nlohmann::ordered_json::object();
  for (uint8_t i = 0; i < spec->signal_count; ++i) {
    const firmware::SignalSpec& signal = spec->signals[i];
    int64_t raw = 0;
    if (!firmware::SignalPresent(signal, mux) || !firmware::SignalRaw(signal, *typed.frame, &raw)) continue;
    signals[signal.name] = PhysicalValue(signal, raw);
    if (const char* name = ValueNameOf(signal, raw)) values[signal.name] = name;
  }
  out["signals"] = std::move(signals);
  if (!values.empty()) out["values"] = std::move(values);
}

}  // namespace packtwin::twin
