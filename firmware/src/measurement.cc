#include "packtwin/firmware/measurement.h"

namespace packtwin::firmware {

uint8_t SocFromMillivolts(uint32_t pack_mV) {
  if (pack_mV <= kSocEmptyMv) return 0;
  const uint32_t soc = (pack_mV - kSocEmptyMv) * 100u / kSocSpanMv;
  return static_cast<uint8_t>(soc > 100 ? 100 : soc);
}

int32_t PowerFromCtMilliamps(uint32_t current_mA) {
  return static_cast<int32_t>(static_cast<uint64_t>(current_mA) * kNominalGridV / 1000u);
}

int32_t BatteryPowerW(uint32_t pack_mV, int32_t current_cA) {
  return static_cast<int32_t>(static_cast<int64_t>(pack_mV) * current_cA / 100000);
}

int32_t SolarPowerW(int32_t p_home_W, int32_t p_batt_W, int32_t p_grid_W) {
  const int32_t solar = p_home_W + p_batt_W - p_grid_W;
  return solar > 0 ? solar : 0;
}

void IntegrateGrid(GridEnergy* energy, int32_t p_grid_W, uint64_t now_ms) {
  if (energy->has_sample && now_ms > energy->last_sample_ms && energy->last_p_grid_W > 0) {
    energy->acc_Wms += static_cast<uint64_t>(energy->last_p_grid_W) * (now_ms - energy->last_sample_ms);
  }
  energy->has_sample = true;
  energy->last_sample_ms = now_ms;
  energy->last_p_grid_W = p_grid_W;
}

void ResetGridEnergy(GridEnergy* energy) { energy->acc_Wms = 0; }

uint32_t GridTodayWh(const GridEnergy& energy) {
  const uint64_t wh = energy.acc_Wms / kWmsPerWh;
  return wh > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(wh);
}

void ApplyCtSample(Measurements* m, const CtSample& sample) {
  m->p_grid_W = PowerFromCtMilliamps(sample.grid_mA);
  m->p_home_W = PowerFromCtMilliamps(sample.home_mA);
  m->p_pool_W = PowerFromCtMilliamps(sample.pool_mA);
  m->p_heater_W = PowerFromCtMilliamps(sample.heater_mA);
  m->p_solar_W = SolarPowerW(m->p_home_W, m->p_batt_W, m->p_grid_W);
}

void ApplyBmsRegisters(Measurements* m, uint16_t voltage_dV, int16_t current_cA, uint16_t alarm_bits, int16_t temp_dC) {
  m->pack_mV = static_cast<uint32_t>(voltage_dV) * 100u;
  m->current_cA = current_cA;
  m->bms_alarm_bits = alarm_bits;
  m->temp_dC = temp_dC;
  m->soc = SocFromMillivolts(m->pack_mV);
  m->p_batt_W = BatteryPowerW(m->pack_mV, m->current_cA);
  m->p_solar_W = SolarPowerW(m->p_home_W, m->p_batt_W, m->p_grid_W);
}

}  // namespace packtwin::firmware
