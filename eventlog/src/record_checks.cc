#include "record_checks.h"

#include <zlib.h>

#include <array>
#include <climits>

#include "packtwin/firmware/modbus_rtu.h"

namespace packtwin::eventlog::block {

uint16_t RecordCheck(const Record& record) {
  std::array<uint8_t, 8> wall{};
  const auto wall_bits = static_cast<uint64_t>(record.wall_ns);
  for (size_t i = 0; i < wall.size(); ++i) wall[i] = static_cast<uint8_t>(wall_bits >> (8 * i));
  const uint16_t crc = firmware::Crc16ModbusUpdate(firmware::kCrc16ModbusInit, wall.data(), wall.size());
  return firmware::Crc16ModbusUpdate(crc, reinterpret_cast<const uint8_t*>(record.bytes.data()), record.bytes.size());
}

namespace {

constexpr size_t kBodyCheckBytes = 4;

uint32_t BodyCrc(std::string_view body) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes lengths as uInt: a body beyond 4 GiB goes in pieces.
  while (!body.empty()) {
    const size_t piece = body.size() < UINT_MAX ? body.size() : UINT_MAX;
    crc = crc32(crc, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(piece));
    body.remove_prefix(piece);
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace

std::string RecordChecks(std::string_view body) {
  std::string checks;
  const uint32_t body_crc = BodyCrc(body);
  for (size_t i = 0; i < kBodyCheckBytes; ++i) checks.push_back(static_cast<char>(body_crc >> (8 * i)));
  const bool read = ForEachRecord(body, [&](const Record& r) {
    const uint16_t check = RecordCheck(r);
    checks.push_back(static_cast<char>(check & 0xFFu));
    checks.push_back(static_cast<char>(check >> 8));
    return true;
  });
  if (!read) checks.clear();
  return checks;
}

bool ChecksFit(std::string_view checks, uint64_t records) {
  return checks.size() >= kBodyCheckBytes && (checks.size() - kBodyCheckBytes) / 2 == records &&
         (checks.size() - kBodyCheckBytes) % 2 == 0;
}

bool BodyCheckMatches(std::string_view body, std::string_view checks) {
  if (checks.size() < kBodyCheckBytes) return false;
  uint32_t stored = 0;
  for (size_t i = 0; i < kBodyCheckBytes; ++i) stored |= static_cast<uint32_t>(static_cast<uint8_t>(checks[i])) << (8 * i);
  return stored == BodyCrc(body);
}

std::optional<uint16_t> StoredCheck(std::string_view checks, size_t index) {
  if (checks.size() < kBodyCheckBytes || index >= (checks.size() - kBodyCheckBytes) / 2) return std::nullopt;
  const size_t at = kBodyCheckBytes + 2 * index;
  return static_cast<uint16_t>(static_cast<uint8_t>(checks[at]) | static_cast<uint8_t>(checks[at + 1]) << 8);
}

}  // namespace packtwin::eventlog::block
