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

// The JetStream API of a leaf node's own domain, as seen from the hub.
std::string LeafApiPrefix(const std::string& domain);

// A site name must be one NATS subject token: letters, digits, '-' and '_'.
Status CheckSiteName(const std::string& site);
// The same rule for any name that becomes a subject token (a leaf's domain).
Status CheckSubjectToken(const std::string& what, const std::string& token);
std::string BlockSubject(const std::string& site);

struct Published {
  uint64_t stream_seq = 0;
  bool duplicate = false;  // the stream already held this message id
};

struct StoredMessage {
  uint64_t stream_seq = 0;
  std::string data;
};

struct StreamSpec {
  std::string name;
  std::string subjects;
  bool work_queue = false;  // a message goes once, to one consumer, and is gone when acknowledged
  int replicas = 1;
};

// One message delivered by a pull consumer; destroyed with it.
class Delivery {
 public:
  explicit Delivery(void* msg) : msg_(msg) {}
  ~Delivery();
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;
  std::string Data() const;
  std::string Subject() const;
  // Acknowledged and confirmed by the server; false when it did not confirm
  // (the message then comes again, which every consumer here recognises).
  bool Ack();
  void Nak();   // comes again now
  void NakWithDelay(int64_t delay_ms);  // comes again after this long
  void Term();  // never comes again to this consumer

 private:
  void* msg_;
};

class NatsLink {
 public:
  static Result<std::unique_ptr<NatsLink>> Connect(const NatsSpec& spec);
  ~NatsLink();
  NatsLink(const NatsLink&) = delete;
  NatsLink& operator=(const NatsLink&) = delete;

  // Creates a stream, or checks that the one there takes our subjects.
  Status EnsureStream(const StreamSpec& spec);
  Status EnsureBlockStream(int replicas) { return EnsureStream({kBlockStream, kBlockSubjects, false, replicas}); }
  // Makes the block stream of the leaf node whose JetStream domain is
  // `domain` a source of this server's block stream: the hub then copies what
  // the leaf holds, in order and once, whenever the link is up. False when it
  // already was a source.
  Result<bool> SourceLeafDomain(const std::string& domain);
  int64_t MaxPayload() const;
  // The last message on `subject`, or nullopt when there is none.
  Result<std::optional<StoredMessage>> LastOnSubject(const std::string& subject);
  // Publishes with a message id (de-duplication) and, when given, the
  // expected last sequence of the subject (0: the subject must be empty).
  Result<Published> Publish(const std::string& subject, const std::string& data, const std::string& msg_id,
                            std::optional<uint64_t> expected_last_subject_seq);

  // A pull subscription on `stream`'s `subject` (durable when named; else
  // ephemeral) with explicit acknowledgement.
  Status Subscribe(const std::string& stream, const std::string& subject, const std::string& durable, int64_t ack_wait_ms);
  // Messages the durable consumer `durable` of `stream` delivered and nobody
  // acknowledged yet, plus those it has yet to deliver; -1 when unknown.
  int64_t Outstanding(const std::string& stream, const std::string& durable);
  // Up to `batch` messages, waiting at most wait_ms; empty when none came.
  Result<std::vector<std::unique_ptr<Delivery>>> Fetch(int batch, int64_t wait_ms);

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit NatsLink(std::unique_ptr<Impl> impl);
  Result<bool> StreamExists(const StreamSpec& spec);
  // The server's own refusal of something this connection did, if any.
  std::optional<Status> Refused();
  Status AddStream(const StreamSpec& spec);
  std::unique_ptr<Impl> impl_;
};

}  // namespace packtwin::fleet
