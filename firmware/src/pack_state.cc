#include "packtwin/firmware/pack_state.h"

#include "packtwin/firmware/fnv.h"

namespace packtwin::firmware {

uint8_t NodeIdFromSerial(uint64_t serial) {
  uint8_t bytes[6];
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<uint8_t>((serial >> (8 * (5 - i))) & 0xFFu);
  return static_cast<uint8_t>(kFirstAutoNodeId + Fnv1a32(bytes, sizeof bytes) % 0x6Eu);
}

uint32_t SerialLow32(uint64_t serial) { return static_cast<uint32_t>(serial & 0xFFFFFFFFu); }

uint8_t StatusBits(const PackState& state) {
  uint8_t status = 0;
  if (state.lockout) status |= kStatusLockout;
  if (state.decision.eco.overload) status |= kStatusEcoOverload;
  if (state.bms.comm_lost) status |= kStatusBmsCommLost;
  if (state.measurements.bms_alarm_bits != 0) status |= kStatusBmsAlarm;
  if (!state.clock.synced) status |= kStatusTimeUnsynced;
  if (state.is_master) status |= kStatusMaster;
  return status;
}

DeviceType SelfType(const PackState& state) { return static_cast<DeviceType>(state.settings.device_type); }

}  // namespace packtwin::firmware
