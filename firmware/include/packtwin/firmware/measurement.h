// Measurement: BMS registers and CT currents -> V, I, SOC, W, grid energy.
// Kept apart from decisions so the twin can feed decisions with the
// measurements a pack reported on the bus instead.
#pragma once

#include <cstdint>

namespace packtwin::firmware {

inline constexpr uint32_t kSocEmptyMv = 46400;  // 16 cells x 2.9 V
inline constexpr uint32_t kSocSpanMv = 16000;   // 16 cells x (3.9 - 2.9) V
inline constexpr uint32_t kNominalGridV = 220;
inline constexpr uint64_t kWmsPerWh = 3'600'000;

struct Measurements {
  uint32_t pack_mV = 0;
  int32_t current_cA = 0;  // + = charging
  uint16_t bms_alarm_bits = 0;
  int16_t temp_dC = 0;
  uint8_t soc = 0;  // 0 until the first good BMS reply
  int32_t p_grid_W = 0;
  int32_t p_home_W = 0;
  int32_t p_pool_W = 0;
  int32_t p_heater_W = 0;
  int32_t p_batt_W = 0;  // + = charging
  int32_t p_solar_W = 0;
};

struct CtSample {
  uint32_t grid_mA = 0;
  uint32_t home_mA = 0;  // inverter output
  uint32_t pool_mA = 0;
  uint32_t heater_mA = 0;
};

// soc = clamp((mV - 46400) * 100 / 16000, 0, 100), truncating.
uint8_t SocFromMillivolts(uint32_t pack_mV);
// P = I_mA * 220 / 1000 W, truncating.
int32_t PowerFromCtMilliamps(uint32_t current_mA);
// P_batt = V * I in W (mV * cA / 100000), truncating toward zero.
int32_t BatteryPowerW(uint32_t pack_mV, int32_t current_cA);
// P_solar = max(0, P_home + P_batt - P_grid).
int32_t SolarPowerW(int32_t p_home_W, int32_t p_batt_W, int32_t p_grid_W);

// Grid energy today as an exact W*ms accumulator. Each CT sample adds the
// previous sample's grid power times the time since it (the power the pack
// knew during that interval); the first sample after boot or reset adds none.
struct GridEnergy {
  uint64_t acc_Wms = 0;
  uint64_t last_sample_ms = 0;
  int32_t last_p_grid_W = 0;
  bool has_sample = false;
};

void IntegrateGrid(GridEnergy* energy, int32_t p_grid_W, uint64_t now_ms);
void ResetGridEnergy(GridEnergy* energy);
uint32_t GridTodayWh(const GridEnergy& energy);

void ApplyCtSample(Measurements* m, const CtSample& sample);
void ApplyBmsRegisters(Measurements* m, uint16_t voltage_dV, int16_t current_cA, uint16_t alarm_bits, int16_t temp_dC);

}  // namespace packtwin::firmware
