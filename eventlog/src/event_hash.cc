#include "packtwin/eventlog/event_hash.h"

// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but
// remain its fastest path for many short inputs; see ChainHash.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstring>

namespace packtwin::eventlog {

Status Sha256Available() {
  // FIPS 180-2's first example, through the same calls ChainHash makes.
  static constexpr char kAbcHex[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  SHA256_CTX ctx;
  Sha256Digest digest{};
  const bool hashed = SHA256_Init(&ctx) == 1 && SHA256_Update(&ctx, "abc", 3) == 1 && SHA256_Final(digest.data(), &ctx) == 1;
  if (!hashed || ToHex(digest) != kAbcHex) {
    return Status::Failed("OpenSSL's libcrypto cannot compute SHA-256 (is it the library packtwin was built against?); "
                          "packtwin needs it for the hash chain of every log");
  }
  return Status::Ok();
}

// Every event of every read is hashed here (on the chain watch's thread), so
// the fields go into one stack buffer and through libcrypto's SHA-256 directly:
// EVP's per-call set-up (provider dispatch, context cleansing) cost as much as
// the compression rounds of an event's two blocks.
Sha256Digest ChainHash(const Sha256Digest& previous, const ChainFields& fields) {
  constexpr size_t kFixedBytes = 32 + 8 + 8 + 8 + 4 + 4 + 4;
  uint8_t head[kFixedBytes];
  size_t at = 0;
  const auto put = [&head, &at](uint64_t value, size_t bytes) {
    for (size_t i = 0; i < bytes; ++i, value >>= 8) head[at++] = static_cast<uint8_t>(value & 0xFF);
  };
  std::memcpy(head, previous.data(), previous.size());
  at = previous.size();
  put(fields.seq, 8);
  put(static_cast<uint64_t>(fields.capture_ns), 8);
  put(static_cast<uint64_t>(fields.wall_ns), 8);
  put(fields.kind, 4);
  put(fields.source.size(), 4);
  SHA256_CTX ctx;
  Sha256Digest digest{};
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, head, at);
  SHA256_Update(&ctx, fields.source.data(), fields.source.size());
  at = 0;
  put(fields.payload.size(), 4);
  SHA256_Update(&ctx, head, at);
  SHA256_Update(&ctx, fields.payload.data(), fields.payload.size());
  SHA256_Final(digest.data(), &ctx);
  return digest;
}

std::string ToHex(const Sha256Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (uint8_t byte : digest) {
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0xF]);
  }
  return out;
}

}  // namespace packtwin::eventlog
