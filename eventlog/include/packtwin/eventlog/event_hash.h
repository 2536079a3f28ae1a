// The hash chain over the event log. Each event's hash is
//   SHA-256(previous hash || canonical fields)
// where the canonical fields are, little-endian: seq u64, capture_ns i64,
// wall_ns i64, kind u32, source (u32 length + bytes), payload (u32 length +
// bytes). The payload is hashed as stored: it is written once and never
// re-serialised, so its bytes are what the chain must protect. The first
// event's previous hash is 32 zero bytes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "packtwin/base/status.h"

namespace packtwin::eventlog {

using Sha256Digest = std::array<uint8_t, 32>;

struct ChainFields {
  uint64_t seq = 0;
  int64_t capture_ns = 0;
  int64_t wall_ns = 0;
  uint32_t kind = 0;
  std::string_view source;
  std::string_view payload;
};

// Whether libcrypto can hash at all (checked once at start-up, so an
// environment without SHA-256 is an error message, not a crash later).
Status Sha256Available();
Sha256Digest ChainHash(const Sha256Digest& previous, const ChainFields& fields);
std::string ToHex(const Sha256Digest& digest);

}  // namespace packtwin::eventlog
