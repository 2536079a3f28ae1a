#include "packtwin/fleet/site_key.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace packtwin::fleet {
namespace {

constexpr size_t kSignatureBytes = 64;
constexpr size_t kRawKeyBytes = 32;

EVP_PKEY* Key(void* pkey) { return static_cast<EVP_PKEY*>(pkey); }

std::string OpensslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "no detail from OpenSSL";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

std::string KeyId(EVP_PKEY* pkey) {
  unsigned char raw[kRawKeyBytes];
  size_t length = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(pkey, raw, &length) != 1) return "unknown";
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(raw, length, digest);
  std::string id;
  for (int i = 0; i < 8; ++i) id += fmt::format("{:02x}", digest[i]);
  return id;
}

using File = std::unique_ptr<FILE, int (*)(FILE*)>;

Result<File> OpenFile(const std::string& path, const char* mode) {
  File file(std::fopen(path.c_str(), mode), std::fclose);
  if (!file) return Status::IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  return file;
}

}  // namespace

SiteKey::~SiteKey() { EVP_PKEY_free(Key(pkey_)); }

Status SiteKey::Generate(const std::string& private_path, const std::string& public_path, bool force) {
  std::error_code ec;
  if (!force && std::filesystem::exists(private_path, ec)) {
    return Status::InvalidArgument(fmt::format("{} exists: a site keeps its key (its public half is registered at the "
                                               "centre); give --force to replace it",
                                               private_path));
  }
  for (const auto& path : {private_path, public_path}) {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) return Status::IoError(fmt::format("{}: cannot create: {}", parent.string(), ec.message()));
  }
  EVP_PKEY* raw = nullptr;
  std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX*)> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return Status::Failed("generating an Ed25519 key: " + OpensslError());
  }
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> pkey(raw, EVP_PKEY_free);
  // Created 0600 before a byte of the key is written.
  const mode_t old_mask = ::umask(077);
  auto private_file = OpenFile(private_path, "w");
  ::umask(old_mask);
  if (!private_file.ok()) return private_file.status();
  if (PEM_write_PrivateKey(private_file->get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Status::IoError(fmt::format("{}: writing the private key: {}", private_path, OpensslError()));
  }
  auto public_file = OpenFile(public_path, "w");
  if (!public_file.ok()) return public_file.status();
  if (PEM_write_PUBKEY(public_file->get(), pkey.get()) != 1) {
    return Status::IoError(fmt::format("{}: writing the public key: {}", public_path, OpensslError()));
  }
  if (std::fflush(private_file->get()) != 0 || std::fflush(public_file->get()) != 0) {
    return Status::IoError(fmt::format("{}: cannot write: {}", private_path, std::strerror(errno)));
  }
  return Status::Ok();
}

Result<std::unique_ptr<SiteKey>> SiteKey::LoadPrivate(const std::string& path) {
  auto file = OpenFile(path, "r");
  if (!file.ok()) return file.status();
  EVP_PKEY* pkey = PEM_read_PrivateKey(file->get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) {
    return Status::InvalidArgument(fmt::format("{}: not a PEM private key ({}); make one with packtwin keygen", path, OpensslError()));
  }
  if (EVP_PKEY_id(pkey) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(pkey);
    return Status::InvalidArgument(fmt::format("{}: not an Ed25519 key; make one with packtwin keygen", path));
  }
  return std::unique_ptr<SiteKey>(new SiteKey(pkey, KeyId(pkey)));
}

Result<std::unique_ptr<SiteKey>> SiteKey::LoadPublic(const std::string& path) {
  auto file = OpenFile(path, "r");
  if (!file.ok()) return file.status();
  EVP_PKEY* pkey = PEM_read_PUBKEY(file->get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) {
    return Status::InvalidArgument(fmt::format("{}: not a PEM public key ({}); register the .pub file packtwin keygen wrote",
                                               path, OpensslError()));
  }
  if (EVP_PKEY_id(pkey) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(pkey);
    return Status::InvalidArgument(fmt::format("{}: not an Ed25519 public key", path));
  }
  return std::unique_ptr<SiteKey>(new SiteKey(pkey, KeyId(pkey)));
}

Result<std::string> SiteKey::Sign(const std::string& bytes) const {
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string signature(kSignatureBytes, '\0');
  size_t length = signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, Key(pkey_)) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) != 1) {
    return Status::Failed("signing a block: " + OpensslError());
  }
  signature.resize(length);
  return signature;
}

bool SiteKey::Verify(const std::string& bytes, const std::string& signature) const {
  if (signature.size() != kSignatureBytes) return false;
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, Key(pkey_)) == 1 &&
                  EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                   reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) == 1;
  ERR_clear_error();
  return ok;
}

std::string SignedBlockBytes(const std::string& site, const std::string& capture_id, uint64_t first_seq, uint64_t last_seq,
                             const std::string& hash) {
  // Fields separated by NUL: no site or capture id contains one (both are checked tokens).
  std::string bytes = "packtwin block v1";
  bytes += '\0';
  bytes += site;
  bytes += '\0';
  bytes += capture_id;
  bytes += '\0';
  for (uint64_t value : {first_seq, last_seq}) {
    for (int shift = 56; shift >= 0; shift -= 8) bytes += static_cast<char>((value >> shift) & 0xff);
  }
  bytes += hash;
  return bytes;
}

}  // namespace packtwin::fleet
