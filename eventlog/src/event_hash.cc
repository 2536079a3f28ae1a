#include "packtwin/eventlog/event_hash.h"

#include <openssl/evp.h>

#include <cassert>
#include <memory>

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

// OpenSSL 3 looks an algorithm up by name (locks, property parsing) on every
// EVP_Digest call; fetching it once and reusing a context per thread keeps a
// hash of one event's fields near the cost of the compression rounds.
Sha256Digest Sha256(std::string_view bytes) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  Sha256Digest digest{};
  unsigned int size = 0;
  const int ok = md != nullptr && ctx != nullptr && EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1 &&
                 EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) == 1 &&
                 EVP_DigestFinal_ex(ctx.get(), digest.data(), &size) == 1;
  assert(ok && size == digest.size());
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
