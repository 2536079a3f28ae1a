// A DBC file (Vector's CAN database, read by cantools, canmatrix, SavvyCAN,
// CANoe) of protocol v1, written from the firmware's signal table. Node ids
// live in the CAN id, which DBC cannot multiplex on, so each frame is written
// once per node: TEL_BATT_2A is TEL_BATT of node 0x2A.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace packtwin::twin {

struct DbcOptions {
  std::vector<uint8_t> nodes;  // empty: every node 0x01..0x7E (and COMMAND to all, 0x7F)
  std::string version;         // the VERSION line's text
};

std::string WriteDbc(const DbcOptions& options);

}  // namespace packtwin::twin
