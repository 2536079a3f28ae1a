#include "packtwin/eventlog/event_hash.h"

#include <openssl/evp.h>

#include <cassert>

namespace packtwin {
namespace {

template <typename T>
void PutLittleEndian(std::string& out, T value) {
  auto bits = static_cast<uint64_t>(value);
  for (size_t i = 0; i < sizeof(T); ++i) {
    out.push_back(static_cast<char>(bits & 0xFF));
    bits >>= 8;
  }
}

void PutBytes(std::string& out, std::string_view bytes) {
  PutLittleEndian(out, static_cast<uint32_t>(bytes.size()));
  out.append(bytes);
}

}  // namespace

Sha256Digest Sha256(std::string_view bytes) {
  Sha256Digest digest{};
  unsigned int size = 0;
  const int ok = EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr);
  assert(ok == 1 && size == digest.size());
  (void)ok;
  return digest;
}

Sha256Digest ChainHash(const Sha256Digest& previous, const ChainFields& fields) {
  thread_local std::string buffer;
  buffer.clear();
  buffer.append(reinterpret_cast<const char*>(previous.data()), previous.size());
  PutLittleEndian(buffer, fields.seq);
  PutLittleEndian(buffer, fields.capture_ns);
  PutLittleEndian(buffer, fields.wall_ns);
  PutLittleEndian(buffer, fields.kind);
  PutBytes(buffer, fields.source);
  PutBytes(buffer, fields.payload);
  return Sha256(buffer);
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

}  // namespace packtwin
