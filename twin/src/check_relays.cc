// Rule `relay-decision` (pack-behaviour.md: Who decides each relay): every
// relay against a shadow of the pack's decisions (shadow.cc), the firmware's
// own DecideRelays fed with what the pack reported.
#include <fmt/format.h>

#include "check_family.h"
#include "packtwin/twin/names.h"
#include "packtwin/twin/shadow.h"

namespace packtwin::twin::check {
namespace {

class RelaysFamily : public CheckFamily {
 public:
  explicit RelaysFamily(CheckContext& context)
      : context_(context), shadow_([this](const RelayDivergence& d) { OnDivergence(d); }) {}

  void OnEvent(const TypedEvent& typed, const TwinState& /*state*/) override {
    if (const auto* f = typed.As<firmware::TelBattFrame>()) shadow_.OnTelBatt(*f, typed.seq, typed.wall_ns);
    if (const auto* f = typed.As<firmware::TelPowerFrame>()) shadow_.OnTelPower(*f);
    if (const auto* f = typed.As<firmware::TelLoadsFrame>()) {
      shadow_.OnTelLoads(*f, typed.seq, typed.wall_ns, context_.clock.LocalMs(typed.wall_ns).value_or(0),
                         context_.clock.known());
    }
    if (const auto* f = typed.As<firmware::AckFrame>()) shadow_.OnAck(*f);
    if (const auto* f = typed.As<firmware::CommandFrame>()) shadow_.OnCommand(*f);
  }

 private:
  void OnDivergence(const RelayDivergence& d) {
    auto state = [](bool closed) { return closed ? "closed" : "open"; };
    context_.flag(d.now_ns, d.node, "relay-decision",
                  fmt::format("{} {} ({}, by the firmware's own decision on what the pack reported)",
                              RelayName(d.relay), state(d.expected_closed),
                              CauseName(static_cast<uint8_t>(d.expected_cause))),
                  fmt::format("{} {} for {} ms", RelayName(d.relay), state(!d.expected_closed),
                              (d.now_ns - d.since_ns) / kNsPerMs),
                  d.evidence);
  }

  CheckContext& context_;
  Shadow shadow_;
};

}  // namespace

std::unique_ptr<CheckFamily> MakeRelaysFamily(CheckContext& context) { return std::make_unique<RelaysFamily>(context); }

}  // namespace packtwin::twin::check
