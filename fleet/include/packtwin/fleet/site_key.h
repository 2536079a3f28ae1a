// A site's Ed25519 key pair (OpenSSL's libcrypto): the bridge signs every
// block it ships with its private key, and `collect` checks the signature
// against the public key registered for that site, so a log made elsewhere,
// or replayed under another site's name, is refused even when it arrives
// with valid NATS credentials.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "packtwin/base/status.h"

namespace packtwin::fleet {

class SiteKey {
 public:
  // Writes PRIVATE (PKCS#8 PEM, mode 0600) and PUBLIC (SubjectPublicKeyInfo
  // PEM); refuses to replace an existing private key unless `force`.
  static Status Generate(const std::string& private_path, const std::string& public_path, bool force);
  static Result<std::unique_ptr<SiteKey>> LoadPrivate(const std::string& path);
  static Result<std::unique_ptr<SiteKey>> LoadPublic(const std::string& path);
  ~SiteKey();
  SiteKey(const SiteKey&) = delete;
  SiteKey& operator=(const SiteKey&) = delete;

  // 64 bytes; only for a private key.
  Result<std::string> Sign(const std::string& bytes) const;
  bool Verify(const std::string& bytes, const std::string& signature) const;
  // The first 16 hex digits of SHA-256 of the raw public key: names the key in messages.
  const std::string& id() const { return id_; }

 private:
  SiteKey(void* pkey, std::string id) : pkey_(pkey), id_(std::move(id)) {}
  void* pkey_;  // EVP_PKEY
  std::string id_;
};

// What a block's signature covers: site, capture id, seq range and chain
// hash, with a domain tag, so a signature cannot be moved to another
// site, capture or block.
std::string SignedBlockBytes(const std::string& site, const std::string& capture_id, uint64_t first_seq, uint64_t last_seq,
                             const std::string& hash);

}  // namespace packtwin::fleet
