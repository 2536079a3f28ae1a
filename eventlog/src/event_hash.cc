#include "packtwin/eventlog/event_hash.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
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
namespace {

bool TrySha256(std::string_view bytes, Sha256Digest* digest) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned int size = 0;
  return md != nullptr && ctx != nullptr && EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1 &&
         EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) == 1 &&
         EVP_DigestFinal_ex(ctx.get(), digest->data(), &size) == 1 && size == digest->size();
}

}  // namespace

Status Sha256Available() {
  // FIPS 180-2's first example: SHA-256("abc").
  static constexpr char kAbcHex[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  Sha256Digest digest{};
  if (!TrySha256("abc", &digest) || ToHex(digest) != kAbcHex) {
    return Status::InvalidArgument("OpenSSL's libcrypto cannot compute SHA-256 (is its default provider installed and "
                         "OPENSSL_CONF sane?); packtwin needs it for the hash chain of every log");
  }
  return Status::Ok();
}

Sha256Digest Sha256(std::string_view bytes) {
  Sha256Digest digest{};
  if (!TrySha256(bytes, &digest)) {
    // Sha256Available() passed at start-up, so this is libcrypto failing mid-run:
    // never write a log with a wrong chain; stop.
    std::fputs("packtwin: OpenSSL failed to compute SHA-256 mid-run; stopping before a wrong hash is stored\n", stderr);
    std::abort();
  }
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
