// A connection to a NATS server or cluster with its JetStream context, and
// the few JetStream calls ship and collect make. Credentials the way NATS
// users give them: user and password, a token, a .creds file, TLS with a CA.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "packtwin/base/status.h"

namespace packtwin::fleet {

struct NatsSpec {
  std::vector<std::string> servers;  // nats://host:port each
  std::string user;
  std::string password;
  std::string token;
  std::string creds_file;
  std::string ca_file;  // TLS: trust this CA (turns TLS on)
  std::string name = "packtwin";
};

// "nats://HOST:PORT[,HOST:PORT...]" (user:password@ in the first host is
// taken as credentials); an error names what is wrong.
Result<NatsSpec> ParseNatsUrl(const std::string& text);

// The stream every site's blocks go to.
inline constexpr const char* kBlockStream = "PACKTWIN_BLOCKS";
inline constexpr const char* kBlockSubjects = "packtwin.site.*.blocks";

// A site name must be one NATS subject token: letters, digits, '-' and '_'.
Status CheckSiteName(const std::string& site);
std::string BlockSubject(const std::string& site);

struct Published {
  uint64_t stream_seq = 0;
  bool duplicate = false;  // the stream already held this message id
};

struct StoredMessage {
  uint64_t stream_seq = 0;
  std::string data;
};

class NatsLink {
 public:
  static Result<std::unique_ptr<NatsLink>> Connect(const NatsSpec& spec);
  ~NatsLink();
  NatsLink(const NatsLink&) = delete;
  NatsLink& operator=(const NatsLink&) = delete;

  // Creates the block stream, or checks that the one there has our subjects.
  Status EnsureBlockStream(int replicas);
  int64_t MaxPayload() const;
  // The last message on `subject`, or nullopt when there is none.
  Result<std::optional<StoredMessage>> LastOnSubject(const std::string& subject);
  // Publishes with a message id (de-duplication) and the expected last
  // sequence of the subject (0: the subject must be empty).
  Result<Published> Publish(const std::string& subject, const std::string& data, const std::string& msg_id,
                            uint64_t expected_last_subject_seq);

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit NatsLink(std::unique_ptr<Impl> impl);
  Result<bool> BlockStreamExists();
  Status AddBlockStream(int replicas);
  std::unique_ptr<Impl> impl_;
};

}  // namespace packtwin::fleet
