// Rules `bms-reply-not-used`, `bms-comm-lost-not-raised` and
// `bms-comm-lost-while-bms-answers` (pack-behaviour.md: BMS and state of
// charge; bms-modbus.md): what a Modbus tap in the same log saw of a pack's
// BMS against what the pack reported (bms_watch.cc).
#include "check_family.h"
#include "packtwin/twin/bms_watch.h"

namespace packtwin::twin::check {
namespace {

class BmsFamily : public CheckFamily {
 public:
  explicit BmsFamily(CheckContext& context)
      : watch_([&context](const BmsFinding& f) {
          context.flag(f.wall_ns, f.node, f.rule, f.expected, f.observed, f.evidence);
        }) {}

  void OnEvent(const TypedEvent& typed, const TwinState& /*state*/) override {
    if (typed.modbus != nullptr) watch_.OnModbus(*typed.event);
    if (const auto* f = typed.As<firmware::TelBattFrame>()) watch_.OnTelBatt(*f, typed.seq, typed.wall_ns);
  }

 private:
  BmsWatch watch_;
};

}  // namespace

std::unique_ptr<CheckFamily> MakeBmsFamily(CheckContext& context) { return std::make_unique<BmsFamily>(context); }

}  // namespace packtwin::twin::check
