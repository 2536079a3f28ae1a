#include "nats_creds.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace packtwin::testing {
namespace {

// nkeys' prefix bytes: the first base32 letter says what a key is.
constexpr unsigned char kPrefixSeed = 18 << 3;      // S
constexpr unsigned char kPrefixOperator = 14 << 3;  // O
constexpr unsigned char kPrefixAccount = 0;         // A
constexpr unsigned char kPrefixUser = 20 << 3;      // U

// CRC-16/XMODEM (polynomial 0x1021, initial 0), as nkeys appends it.
uint16_t Crc16(const std::string& bytes) {
  uint16_t crc = 0;
  for (unsigned char byte : bytes) {
    crc ^= static_cast<uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021) : static_cast<uint16_t>(crc << 1);
  }
  return crc;
}

// Big-endian bit groups of `bits` from `alphabet`, no padding: nkeys'
// base32 (5) and JWT's base64url (6).
std::string EncodeBits(const std::string& bytes, const char* alphabet, int bits_per_char) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  const uint32_t mask = (1u << bits_per_char) - 1;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= bits_per_char) {
      out += alphabet[(buffer >> (bits - bits_per_char)) & mask];
      bits -= bits_per_char;
    }
  }
  if (bits > 0) out += alphabet[(buffer << (bits_per_char - bits)) & mask];
  return out;
}

std::string Base32(const std::string& bytes) { return EncodeBits(bytes, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 5); }

std::string Base64Url(const std::string& bytes) {
  return EncodeBits(bytes, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 6);
}

std::string WithCrc(std::string bytes) {
  const uint16_t crc = Crc16(bytes);
  bytes += static_cast<char>(crc & 0xff);
  bytes += static_cast<char>(crc >> 8);
  return bytes;
}

using PKey = std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)>;

PKey FromSeed(const std::string& seed) {
  return PKey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size()),
              EVP_PKEY_free);
}

std::string Sign(const std::string& seed, const std::string& bytes) {
  PKey key = FromSeed(seed);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string signature(64, '\0');
  size_t length = signature.size();
  EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get());
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                 reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return signature;
}

nlohmann::json Claims(const std::string& issuer, const std::string& subject, const std::string& name, nlohmann::json nats) {
  return {{"jti", Base32(subject.substr(0, 20))}, {"iat", 1'700'000'000}, {"iss", issuer}, {"name", name}, {"sub", subject}, {"nats", nats}};
}

}  // namespace

NatsOperator::NKey NatsOperator::NewKey(unsigned char prefix) {
  NKey key;
  key.prefix = static_cast<char>(prefix);
  key.seed.resize(32);
  RAND_bytes(reinterpret_cast<unsigned char*>(key.seed.data()), 32);
  PKey pkey = FromSeed(key.seed);
  key.public_raw.resize(32);
  size_t length = 32;
  EVP_PKEY_get_raw_public_key(pkey.get(), reinterpret_cast<unsigned char*>(key.public_raw.data()), &length);
  return key;
}

std::string NatsOperator::Public(const NKey& key) { return Base32(WithCrc(std::string(1, key.prefix) + key.public_raw)); }

std::string NatsOperator::Seed(const NKey& key) {
  const auto prefix = static_cast<unsigned char>(key.prefix);
  std::string raw;
  raw += static_cast<char>(kPrefixSeed | (prefix >> 5));
  raw += static_cast<char>((prefix & 31) << 3);
  return Base32(WithCrc(raw + key.seed));
}

std::string NatsOperator::Jwt(const NKey& issuer, const std::string& claims) {
  const std::string signing_input = Base64Url(R"({"typ":"JWT","alg":"ed25519-nkey"})") + "." + Base64Url(claims);
  return signing_input + "." + Base64Url(Sign(issuer.seed, signing_input));
}

NatsOperator::NatsOperator(const std::string& dir) {
  operator_ = NewKey(kPrefixOperator);
  account_ = NewKey(kPrefixAccount);
  const std::string op = Public(operator_);
  const std::string account = Public(account_);
  const std::string operator_jwt = Jwt(operator_, Claims(op, op, "packtwin-test", {{"type", "operator"}, {"version", 2}}).dump());
  const nlohmann::json limits = {{"subs", -1},         {"data", -1},         {"payload", -1}, {"imports", -1},
                                 {"exports", -1},      {"wildcards", true},  {"conn", -1},    {"leaf", -1},
                                 {"mem_storage", -1},  {"disk_storage", -1}, {"streams", -1}, {"consumer", -1}};
  const std::string account_jwt =
      Jwt(operator_, Claims(op, account, "fleet", {{"limits", limits}, {"type", "account"}, {"version", 2}}).dump());
  // JetStream needs the server's own system account (without JetStream).
  const NKey system = NewKey(kPrefixAccount);
  const std::string system_account = Public(system);
  const nlohmann::json system_limits = {{"subs", -1}, {"data", -1}, {"payload", -1}, {"imports", -1},
                                        {"exports", -1}, {"wildcards", true}, {"conn", -1}, {"leaf", -1}};
  const std::string system_jwt =
      Jwt(operator_, Claims(op, system_account, "SYS", {{"limits", system_limits}, {"type", "account"}, {"version", 2}}).dump());
  WriteFile(dir + "/operator.jwt", operator_jwt);
  server_config_ = "operator: \"" + dir + "/operator.jwt\"\nsystem_account: " + system_account +
                   "\nresolver: MEMORY\nresolver_preload: {\n  " + account + ": \"" + account_jwt + "\"\n  " + system_account +
                   ": \"" + system_jwt + "\"\n}\n";
}

void NatsOperator::WriteCreds(const std::string& path, const std::string& name, const std::vector<std::string>& publish,
                              const std::vector<std::string>& subscribe) const {
  const NKey user = NewKey(kPrefixUser);
  nlohmann::json nats = {{"subs", -1}, {"data", -1}, {"payload", -1}, {"type", "user"}, {"version", 2}};
  nats["pub"] = publish.empty() ? nlohmann::json::object() : nlohmann::json{{"allow", publish}};
  nats["sub"] = subscribe.empty() ? nlohmann::json::object() : nlohmann::json{{"allow", subscribe}};
  const std::string jwt = Jwt(account_, Claims(Public(account_), Public(user), name, nats).dump());
  WriteFile(path, "-----BEGIN NATS USER JWT-----\n" + jwt + "\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n" +
                      Seed(user) + "\n------END USER NKEY SEED------\n");
}

}  // namespace packtwin::testing
