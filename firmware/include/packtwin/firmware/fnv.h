// FNV-1a hashes: 32-bit for the node id from the serial (pack-behaviour.md),
// 64-bit for state digests. Fixed, portable, no tables.
#pragma once

#include <cstddef>
#include <cstdint>

namespace packtwin::firmware {

inline uint32_t Fnv1a32(const uint8_t* bytes, size_t len) {
  uint32_t hash = 2166136261u;
  for (size_t i = 0; i < len; ++i) {
    hash ^= bytes[i];
    hash *= 16777619u;
  }
  return hash;
}

// Feeds a canonical little-endian encoding into FNV-1a 64.
class Digest64 {
 public:
  void Put8(uint8_t v) {
    hash_ ^= v;
    hash_ *= 1099511628211ull;
  }
  void Put16(uint16_t v) { PutN(v, 2); }
  void Put32(uint32_t v) { PutN(v, 4); }
  void Put64(uint64_t v) { PutN(v, 8); }
  void PutBool(bool v) { Put8(v ? 1 : 0); }
  void PutI32(int32_t v) { Put32(static_cast<uint32_t>(v)); }
  void PutI64(int64_t v) { Put64(static_cast<uint64_t>(v)); }
  uint64_t value() const { return hash_; }

 private:
  void PutN(uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) Put8(static_cast<uint8_t>((v >> (8 * i)) & 0xFFu));
  }
  uint64_t hash_ = 14695981039346656037ull;
};

}  // namespace packtwin::firmware
