#include "packtwin/replay/site_sim.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "packtwin/firmware/protocol_v1.h"
#include "packtwin/replay/rng.h"

namespace packtwin::replay {
namespace {

constexpr int64_t kCtEveryMs = 1000;
constexpr int64_t kCapacityWms = 10'000LL * 3'600'000;  // 10 kWh
constexpr int32_t kMaxBatteryW = 3000;

// Watts at a local time of day (ms), integer-only and piecewise linear.
int32_t SolarW(int64_t day_ms, int32_t peak_W) {
  const int64_t rise = 7 * 3'600'000;
  const int64_t noon = 13 * 3'600'000;
  const int64_t set = 19 * 3'600'000;
  if (day_ms <= rise || day_ms >= set) return 0;
  const int64_t from_noon = day_ms < noon ? noon - day_ms : day_ms - noon;
  return static_cast<int32_t>(peak_W * (noon - rise - from_noon) / (noon - rise));
}

bool Between(int64_t day_ms, int hour_from, int hour_to) {
  return day_ms >= hour_from * 3'600'000LL && day_ms < hour_to * 3'600'000LL;
}

// A household per pack: a battery whose energy follows what flows, a daily
// load profile by relay, and solar; the BMS reports the battery's voltage.
class DailyModel : public SimModel {
 public:
  struct Battery {
    int64_t energy_Wms = kCapacityWms / 2;
    int32_t p_batt_W = 0;
    Rng rng{1};
  };

  DailyModel(const SimConfig& config, SimSiteConfig* site) {
    Rng seeds{config.seed * 0x9E3779B97F4A7C15ull + 1};
    for (int i = 0; i < config.packs; ++i) {
      SimPackConfig pack;
      pack.serial = 0x24A160000000ull | (seeds.Next() & 0xFFFFFFFull);
      pack.name = fmt::format("pack{}", i + 1);
      pack.boot_ms = 100LL * i;  // staggered power-on
      pack.stored.valid = true;
      pack.stored.node_id = firmware::NodeIdFromSerial(pack.serial);
      pack.stored.modes = config.modes;
      pack.stored.eco_limit_W = config.eco_limit_W;
      pack.stored.grid_budget_kWh = config.grid_budget_kWh;
      site->packs.push_back(pack);
      Battery battery;
      battery.rng.s = seeds.Next() | 1;
      battery.energy_Wms = kCapacityWms * seeds.Range(30, 70) / 100;
      batteries_.push_back(battery);
    }
  }

  BmsAnswer AnswerBms(const SimEngine&, size_t pack, const std::string&, int64_t) override {
    const Battery& b = batteries_[pack];
    const int64_t soc_permille = std::clamp<int64_t>(b.energy_Wms * 1000 / kCapacityWms, 0, 1000);
    const auto voltage_dV = static_cast<uint16_t>((46400 + soc_permille * 16) / 100);
    const auto current_cA = static_cast<int16_t>(b.p_batt_W * 100'000 / (voltage_dV * 100));
    return {true, EncodeBmsReply(voltage_dV, current_cA, 0, 225), {}};
  }

  // The household this second: loads by relay, solar, and the battery between.
  firmware::CtSample SampleCts(const SimEngine& engine, size_t pack, int64_t t) override {
    Battery& b = batteries_[pack];
    const int64_t day = engine.LocalDayMs(t);
    const uint8_t relays = engine.pack(pack).state.decision.relays;
    const bool inverter = (relays >> firmware::kRelayInverter) & 1u;
    const int32_t home_W = inverter ? 250 + (Between(day, 18, 22) ? 1200 : 0) + b.rng.Range(0, 300) : 0;
    const int32_t pool_W = ((relays >> firmware::kRelayPool) & 1u) && Between(day, 10, 16) ? 700 : 0;
    const int32_t heater_W =
        ((relays >> firmware::kRelayHeater) & 1u) && (Between(day, 6, 7) || Between(day, 19, 20)) ? 2000 : 0;
    const int32_t solar_W = SolarW(day, 7000);
    const int32_t load_W = home_W + pool_W + heater_W;
    int32_t batt_W = std::clamp(solar_W - load_W, -kMaxBatteryW, kMaxBatteryW);
    if (batt_W > 0 && b.energy_Wms >= kCapacityWms) batt_W = 0;
    if (batt_W < 0 && b.energy_Wms <= 0) batt_W = 0;
    const bool grid_closed = (relays >> firmware::kRelayGrid) & 1u;
    const int32_t grid_W = grid_closed ? std::max(0, load_W - solar_W + batt_W) : 0;
    b.p_batt_W = batt_W;
    b.energy_Wms = std::clamp<int64_t>(b.energy_Wms + static_cast<int64_t>(batt_W) * kCtEveryMs, 0, kCapacityWms);
    auto mA = [](int32_t watts) { return static_cast<uint32_t>(watts * 1000 / 220); };
    return {mA(grid_W), mA(home_W), mA(pool_W), mA(heater_W)};
  }

 private:
  std::vector<Battery> batteries_;
};

}  // namespace

Result<SimSummary> Simulate(const SimConfig& config, const ProgressFn& progress) {
  if (config.packs < 1 || config.packs > 100) return Status::InvalidArgument("--packs: 1 to 100 packs");
  if (config.duration_ms <= 0) return Status::InvalidArgument("--duration: must be positive");
  SimSiteConfig site;
  site.start_unix_s = config.start_unix_s;
  site.utc_offset_min = config.utc_offset_min;
  site.duration_ms = config.duration_ms;
  DailyModel daily(config, &site);
  SimCaptureOptions options;
  options.output = config.output;
  options.force = config.force;
  options.site = config.site;
  options.tool_version = config.tool_version;
  options.configuration_json =
      nlohmann::json{{"simulate", {{"packs", config.packs}, {"duration_ms", config.duration_ms}, {"seed", config.seed},
                                   {"modes", config.modes}, {"eco_limit_W", config.eco_limit_W}}}}
          .dump();
  return RunToCapture(site, &daily, options, progress);
}

}  // namespace packtwin::replay
