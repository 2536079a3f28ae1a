// Rule `soc-inconsistent-with-voltage` (pack-behaviour.md: BMS and state of
// charge): SOC comes from the pack voltage only, by the firmware's own curve.
#include <fmt/format.h>

#include <set>

#include "check_family.h"
#include "packtwin/firmware/measurement.h"

namespace packtwin::twin::check {
namespace {

constexpr int kSocTolerancePct = 1;

class SocFamily : public CheckFamily {
 public:
  explicit SocFamily(CheckContext& context) : context_(context) {}

  void OnEvent(const TypedEvent& typed, const TwinState& /*state*/) override {
    const auto* f = typed.As<firmware::TelBattFrame>();
    if (f == nullptr || flagged_.count(f->node) != 0) return;
    const uint8_t from_voltage = firmware::SocFromMillivolts(static_cast<uint32_t>(f->pack_cV) * 10);
    const int diff = static_cast<int>(f->soc) - static_cast<int>(from_voltage);
    if (diff > kSocTolerancePct || diff < -kSocTolerancePct) {
      flagged_.insert(f->node);
      context_.flag(typed.wall_ns, f->node, "soc-inconsistent-with-voltage",
                    fmt::format("SOC {} % for {}.{:02} V", from_voltage, f->pack_cV / 100, f->pack_cV % 100),
                    fmt::format("SOC {} %", f->soc), {typed.seq});
    }
  }

 private:
  CheckContext& context_;
  std::set<uint8_t> flagged_;  // once per pack
};

}  // namespace

std::unique_ptr<CheckFamily> MakeSocFamily(CheckContext& context) { return std::make_unique<SocFamily>(context); }

}  // namespace packtwin::twin::check
