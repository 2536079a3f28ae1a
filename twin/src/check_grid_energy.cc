// Rules `grid-energy-scale` and `grid-energy-not-integrated` (pack-behaviour.md:
// Power figures): grid energy today grows as the integral of TEL_POWER's grid
// import, within telemetry's 10 Wh steps.
#include <fmt/format.h>

#include <map>

#include "check_family.h"
#include "packtwin/firmware/measurement.h"

namespace packtwin::twin::check {
namespace {

class GridEnergyFamily : public CheckFamily {
 public:
  explicit GridEnergyFamily(CheckContext& context) : context_(context) {}

  void OnEvent(const TypedEvent& typed, const TwinState& /*state*/) override {
    if (const auto* power = typed.As<firmware::TelPowerFrame>()) OnTelPower(typed, *power);
    if (const auto* loads = typed.As<firmware::TelLoadsFrame>()) OnTelLoads(typed, *loads);
  }

 private:
  struct Track {
    bool has_loads = false;
    uint32_t last_reported_Wh = 0;
    uint64_t last_loads_seq = 0;
    uint32_t base_Wh = 0;
    uint64_t integrated_Wms = 0;
    bool has_power = false;
    int32_t last_p_grid_W = 0;
    int64_t last_power_ns = 0;
    bool flagged = false;
  };

  void OnTelPower(const TypedEvent& typed, const firmware::TelPowerFrame& f) {
    Track& p = packs_[f.node];
    const int64_t now = typed.wall_ns;
    if (p.has_power && p.last_p_grid_W > 0 && now > p.last_power_ns) {
      p.integrated_Wms += static_cast<uint64_t>(p.last_p_grid_W) * static_cast<uint64_t>((now - p.last_power_ns) / kNsPerMs);
    }
    p.has_power = true;
    p.last_p_grid_W = f.p_grid_W;
    p.last_power_ns = now;
  }

  void OnTelLoads(const TypedEvent& typed, const firmware::TelLoadsFrame& f) {
    Track& p = packs_[f.node];
    const uint32_t reported = static_cast<uint32_t>(f.grid_today_Wh10) * 10;
    if (!p.has_loads || reported + 10 < p.last_reported_Wh) {
      p.base_Wh = reported;  // a new baseline: first report, reset or reboot
      p.integrated_Wms = 0;
    } else if (!p.flagged) {
      Judge(typed, f.node, p, reported);
    }
    p.has_loads = true;
    p.last_reported_Wh = reported;
    p.last_loads_seq = typed.seq;
  }

  void Judge(const TypedEvent& typed, uint8_t node, Track& p, uint32_t reported_Wh) {
    const uint64_t expected_gain_Wh = p.integrated_Wms / firmware::kWmsPerWh;
    const uint64_t gain_Wh = reported_Wh - p.base_Wh;
    // Telemetry reports 10 Wh steps and power every 2 s: allow that much slack.
    if (gain_Wh > 10 * expected_gain_Wh + 50) {
      p.flagged = true;
      context_.flag(typed.wall_ns, node, "grid-energy-scale",
                    fmt::format("about {} Wh more grid energy (integrated from TEL_POWER)", expected_gain_Wh),
                    fmt::format("{} Wh more: integrated as if W were kW?", gain_Wh), {p.last_loads_seq, typed.seq});
    } else if (expected_gain_Wh > 100 && gain_Wh == 0) {
      p.flagged = true;
      context_.flag(typed.wall_ns, node, "grid-energy-not-integrated",
                    fmt::format("about {} Wh more grid energy (integrated from TEL_POWER)", expected_gain_Wh),
                    "grid energy today does not move", {p.last_loads_seq, typed.seq});
    }
  }

  CheckContext& context_;
  std::map<uint8_t, Track> packs_;
};

}  // namespace

std::unique_ptr<CheckFamily> MakeGridEnergyFamily(CheckContext& context) {
  return std::make_unique<GridEnergyFamily>(context);
}

}  // namespace packtwin::twin::check
