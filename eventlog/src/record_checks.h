// Which events of a damaged block are damaged. A block's chain hash says
// whether its events are intact, not which of them changed: one flipped byte
// would condemn every event of the block. So each record also gets a 16-bit
// check, kept beside its block in the record_checks table (added to schema 2
// files; files written before it have none and are located to the block):
// CRC-16/MODBUS over the record's absolute wall time (8 bytes, little-endian)
// and its stored bytes. A CRC-16 catches every error burst of up to 16 bits,
// so one flipped byte always fails the check of the record it is in. Wall
// times are stored as deltas from the record before; checking the absolute
// time makes a damaged delta fail every later record of the block as well,
// which is true: their times are then unknown.
//
// Checking every record as a block is read would cost a CRC per event, a
// third of a rebuild's time: the checks begin with a CRC-32 of the whole body
// (zlib's, one call per block), and only a block that fails it has its
// records checked one by one.
//
// checks := crc32(body) u32 LE | per record: crc16 u16 LE
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "block_codec.h"

namespace packtwin::eventlog::block {

uint16_t RecordCheck(const Record& record);

// The checks of `body` (layout above); empty when the body does not decode.
std::string RecordChecks(std::string_view body);

// Whether `checks` hold an entry for each of `records` records.
bool ChecksFit(std::string_view checks, uint64_t records);
// Whether the whole body is as written (its CRC-32 matches).
bool BodyCheckMatches(std::string_view body, std::string_view checks);
// The stored check of record `index`; none when `checks` has no such entry.
std::optional<uint16_t> StoredCheck(std::string_view checks, size_t index);

}  // namespace packtwin::eventlog::block
