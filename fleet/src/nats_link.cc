#include "packtwin/fleet/nats_link.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <thread>

#include "nats_link_impl.h"

namespace packtwin::fleet {
namespace {

constexpr int64_t kConnectTimeout_ms = 3000;
constexpr int64_t kRequestTimeout_ms = 5000;
constexpr int kStreamAttempts = 8;
constexpr int kStreamRetry_ms = 500;

bool ValidHostPort(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size()) return false;
  for (size_t i = colon + 1; i < host_port.size(); ++i) {
    if (host_port[i] < '0' || host_port[i] > '9') return false;
  }
  return host_port.size() - colon - 1 <= 5 && std::stoul(host_port.substr(colon + 1)) <= 65535;
}

extern "C" void OnAsyncError(natsConnection* connection, natsSubscription* /*subscription*/, natsStatus status,
                             void* closure) {
  if (status != NATS_NOT_PERMITTED) return;
  auto* impl = static_cast<NatsLink::Impl*>(closure);
  const char* text = nullptr;
  natsConnection_GetLastError(connection, &text);
  std::lock_guard lock(impl->refusal_mutex);
  impl->refusal = text != nullptr && *text != '\0' ? text : "permissions violation";
}

}  // namespace

Status NatsError(const std::string& doing, natsStatus status, jsErrCode js_error) {
  std::string text = natsStatus_GetText(status);
  natsStatus last_status = NATS_OK;
  const char* last = nats_GetLastError(&last_status);
  // The thread's last error describes this call only when it has this status.
  if (last != nullptr && *last != '\0' && last_status == status && text.find(last) == std::string::npos) {
    text += fmt::format(": {}", last);
  }
  if (static_cast<int>(js_error) != 0) text += fmt::format(" (JetStream error {})", static_cast<int>(js_error));
  const bool unreachable = status == NATS_NO_SERVER || status == NATS_CONNECTION_CLOSED || status == NATS_TIMEOUT;
  std::string message = fmt::format("{}: {}", doing, text);
  return unreachable ? Status::IoError(std::move(message)) : Status::Failed(std::move(message));
}

Result<NatsSpec> ParseNatsUrl(const std::string& text) {
  NatsSpec spec;
  std::string rest = text;
  const std::string scheme = "nats://";
  if (rest.rfind(scheme, 0) == 0) rest = rest.substr(scheme.size());
  if (rest.empty()) return Status::InvalidArgument(fmt::format("'{}': expected nats://HOST:PORT[,HOST:PORT...]", text));
  size_t start = 0;
  // Bounded by the text: each pass takes one comma-separated server.
  while (start <= rest.size()) {
    const auto comma = rest.find(',', start);
    std::string server = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (server.rfind(scheme, 0) == 0) server = server.substr(scheme.size());
    const auto at = server.rfind('@');
    if (at != std::string::npos) {
      const std::string who = server.substr(0, at);
      const auto colon = who.find(':');
      if (colon == std::string::npos) {
        spec.token = who;
      } else {
        spec.user = who.substr(0, colon);
        spec.password = who.substr(colon + 1);
      }
      server = server.substr(at + 1);
    }
    if (!ValidHostPort(server)) {
      return Status::InvalidArgument(fmt::format("'{}': '{}' is not HOST:PORT (expected nats://HOST:PORT[,HOST:PORT...])", text, server));
    }
    spec.servers.push_back(scheme + server);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return spec;
}

Status CheckSubjectToken(const std::string& what, const std::string& token) {
  if (token.empty() || token.size() > 64) return Status::InvalidArgument(fmt::format("a {} name is 1 to 64 characters", what));
  for (char c : token) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) {
      return Status::InvalidArgument(fmt::format(
          "{} '{}': '{}' cannot be part of a NATS subject token; use letters, digits, '-' and '_'", what, token, c));
    }
  }
  return Status::Ok();
}

Status CheckSiteName(const std::string& site) { return CheckSubjectToken("site", site); }

std::string BlockSubject(const std::string& site) { return fmt::format("packtwin.site.{}.blocks", site); }

std::string LeafApiPrefix(const std::string& domain) { return fmt::format("$JS.{}.API", domain); }

NatsLink::NatsLink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Delivery::~Delivery() { natsMsg_Destroy(static_cast<natsMsg*>(msg_)); }

std::string Delivery::Data() const {
  auto* msg = static_cast<natsMsg*>(msg_);
  return std::string(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
}

std::string Delivery::Subject() const { return natsMsg_GetSubject(static_cast<natsMsg*>(msg_)); }

bool Delivery::Ack() {
  jsErrCode js_error = static_cast<jsErrCode>(0);
  return natsMsg_AckSync(static_cast<natsMsg*>(msg_), nullptr, &js_error) == NATS_OK;
}

void Delivery::Nak() { (void)natsMsg_Nak(static_cast<natsMsg*>(msg_), nullptr); }

void Delivery::NakWithDelay(int64_t delay_ms) { (void)natsMsg_NakWithDelay(static_cast<natsMsg*>(msg_), delay_ms, nullptr); }

int64_t NatsLink::Outstanding(const std::string& stream, const std::string& durable) {
  jsConsumerInfo* info = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  if (js_GetConsumerInfo(&info, impl_->js, stream.c_str(), durable.c_str(), nullptr, &js_error) != NATS_OK || info == nullptr) {
    return -1;
  }
  const int64_t outstanding = info->NumAckPending + static_cast<int64_t>(info->NumPending);
  jsConsumerInfo_Destroy(info);
  return outstanding;
}

void Delivery::Term() { (void)natsMsg_Term(static_cast<natsMsg*>(msg_), nullptr); }

Status NatsLink::Subscribe(const std::string& stream, const std::string& subject, const std::string& durable,
                           int64_t ack_wait_ms) {
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = stream.c_str();
  // An existing durable consumer keeps the ack wait it was made with: asking
  // for another one would be refused, so a worker joining later binds as is.
  jsConsumerInfo* existing = nullptr;
  jsErrCode lookup_error = static_cast<jsErrCode>(0);
  const bool exists = !durable.empty() &&
                      js_GetConsumerInfo(&existing, impl_->js, stream.c_str(), durable.c_str(), nullptr, &lookup_error) == NATS_OK;
  if (existing != nullptr) jsConsumerInfo_Destroy(existing);
  if (!exists) options.Config.AckWait = ack_wait_ms * 1'000'000;  // nanoseconds
  options.Config.AckPolicy = js_AckExplicit;
  options.Config.DeliverPolicy = js_DeliverAll;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = NATS_TIMEOUT;
  for (int attempt = 0; attempt < kStreamAttempts && s == NATS_TIMEOUT; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(kStreamRetry_ms));
    js_error = static_cast<jsErrCode>(0);
    s = js_PullSubscribe(&impl_->subscription, impl_->js, subject.c_str(), durable.empty() ? nullptr : durable.c_str(),
                         nullptr, &options, &js_error);
    if (auto refused = Refused(); refused && s != NATS_OK) return *refused;
  }
  if (s != NATS_OK) {
    return NatsError(fmt::format("{}: consumer {} on stream {}", impl_->servers, durable.empty() ? "(ephemeral)" : durable, stream),
                     s, js_error);
  }
  return Status::Ok();
}

Result<std::vector<std::unique_ptr<Delivery>>> NatsLink::Fetch(int batch, int64_t wait_ms) {
  std::vector<std::unique_ptr<Delivery>> out;
  natsMsgList list{};
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = natsSubscription_Fetch(&list, impl_->subscription, batch, wait_ms, &js_error);
  for (int i = 0; i < list.Count; ++i) {
    out.push_back(std::make_unique<Delivery>(list.Msgs[i]));
    list.Msgs[i] = nullptr;  // owned by the Delivery now
  }
  natsMsgList_Destroy(&list);
  if (s == NATS_OK || s == NATS_TIMEOUT) return out;
  // A server of the cluster went away: the client reconnects; fetch again later.
  if (s == NATS_CONNECTION_CLOSED) return NatsError("fetching", s, js_error);
  return out;
}

NatsLink::~NatsLink() {
  if (impl_->subscription != nullptr) natsSubscription_Destroy(impl_->subscription);
  if (impl_->js != nullptr) jsCtx_Destroy(impl_->js);
  if (impl_->connection != nullptr) {
    natsConnection_Close(impl_->connection);
    natsConnection_Destroy(impl_->connection);
  }
}

Result<std::unique_ptr<NatsLink>> NatsLink::Connect(const NatsSpec& spec) {
  natsOptions* options = nullptr;
  if (natsOptions_Create(&options) != NATS_OK) return Status::Failed("cannot create NATS options");
  std::unique_ptr<natsOptions, void (*)(natsOptions*)> owned(options, natsOptions_Destroy);
  std::vector<const char*> servers;
  for (const auto& server : spec.servers) servers.push_back(server.c_str());
  const std::string joined = fmt::format("{}", fmt::join(spec.servers, ","));
  natsStatus s = natsOptions_SetServers(options, servers.data(), static_cast<int>(servers.size()));
  if (s == NATS_OK) s = natsOptions_SetName(options, spec.name.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(options, kConnectTimeout_ms);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(options, 60);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(options, 500);
  if (s == NATS_OK && !spec.user.empty()) s = natsOptions_SetUserInfo(options, spec.user.c_str(), spec.password.c_str());
  if (s == NATS_OK && !spec.token.empty()) s = natsOptions_SetToken(options, spec.token.c_str());
  if (s == NATS_OK && !spec.creds_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(options, spec.creds_file.c_str(), nullptr);
  }
  if (s == NATS_OK && !spec.ca_file.empty()) {
    s = natsOptions_SetSecure(options, true);
    if (s == NATS_OK) s = natsOptions_LoadCATrustedCertificates(options, spec.ca_file.c_str());
  }
  auto impl = std::make_unique<Impl>();
  impl->servers = joined;
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(options, OnAsyncError, impl.get());
  if (s != NATS_OK) return NatsError("NATS options", s);
  s = natsConnection_Connect(&impl->connection, options);
  if (s != NATS_OK) {
    Status error = NatsError(fmt::format("cannot connect to {}", joined), s);
    if (s == NATS_NO_SERVER) {
      return Status::IoError(error.message() + "; is nats-server running there, and is the address right?");
    }
    if (s == NATS_SECURE_CONNECTION_REQUIRED) {
      return Status::InvalidArgument(error.message() + "; the server takes TLS only: give --tls-ca with the CA that signed its certificate");
    }
    if (s == NATS_SSL_ERROR) {
      return Status::InvalidArgument(
          error.message() + (spec.ca_file.empty()
                                 ? "; the server takes TLS with a certificate this machine does not trust: give --tls-ca "
                                   "with the CA that signed it"
                                 : "; is " + spec.ca_file + " the CA that signed the server's certificate?"));
    }
    if (s == NATS_CONNECTION_AUTH_FAILED) {
      return Status::InvalidArgument(error.message() + "; give the credentials this server expects (--user/--password, --token or --creds)");
    }
    return error;
  }
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = kRequestTimeout_ms;
  s = natsConnection_JetStream(&impl->js, impl->connection, &js_options);
  if (s != NATS_OK) return NatsError(fmt::format("{}: JetStream", joined), s);
  return std::unique_ptr<NatsLink>(new NatsLink(std::move(impl)));
}

Status NatsLink::EnsureStream(const StreamSpec& spec) {
  // A cluster that is electing a leader (just started, or a server just
  // died) answers with timeouts for a few seconds: ask again meanwhile.
  Status last = Status::Ok();
  for (int attempt = 0; attempt < kStreamAttempts; ++attempt) {
    auto exists = StreamExists(spec);
    if (exists.ok() && *exists) return Status::Ok();
    if (auto refused = Refused(); refused) return *refused;
    if (exists.ok()) {
      last = AddStream(spec);
      if (last.ok()) return last;
    } else {
      last = exists.status();
    }
    if (last.code() == StatusCode::kInvalidArgument) return last;  // a stream of another configuration
    std::this_thread::sleep_for(std::chrono::milliseconds(kStreamRetry_ms));
  }
  return last;
}

// True when the stream is there and takes our subjects; an error when it is
// there with other subjects.
Result<bool> NatsLink::StreamExists(const StreamSpec& spec) {
  jsStreamInfo* info = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, impl_->js, spec.name.c_str(), nullptr, &js_error);
  if (s == NATS_NOT_FOUND || js_error == JSStreamNotFoundErr) return false;
  if (s != NATS_OK) return NatsError(fmt::format("{}: stream {}", impl_->servers, spec.name), s, js_error);
  bool ours = false;
  for (int i = 0; i < info->Config->SubjectsLen; ++i) ours = ours || spec.subjects == info->Config->Subjects[i];
  jsStreamInfo_Destroy(info);
  if (!ours) {
    return Status::InvalidArgument(fmt::format(
        "{}: stream {} exists with another configuration (it does not take {}); remove it or give packtwin a server "
        "of its own",
        impl_->servers, spec.name, spec.subjects));
  }
  return true;
}

Status NatsLink::AddStream(const StreamSpec& spec) {
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  const char* subjects[] = {spec.subjects.c_str()};
  config.Name = spec.name.c_str();
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Replicas = spec.replicas;
  if (spec.work_queue) config.Retention = js_WorkQueuePolicy;
  jsStreamInfo* info = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = js_AddStream(&info, impl_->js, &config, nullptr, &js_error);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return Status::Ok();
  }
  // Another client created it a moment ago: the next look finds it.
  if (js_error == JSStreamNameExistErr) return Status::Failed("stream created meanwhile");
  return NatsError(fmt::format("{}: creating stream {} (replicas {})", impl_->servers, spec.name, spec.replicas), s, js_error);
}

Result<bool> NatsLink::SourceLeafDomain(const std::string& domain) {
  jsStreamInfo* info = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, impl_->js, kBlockStream, nullptr, &js_error);
  if (s != NATS_OK) return NatsError(fmt::format("{}: stream {}", impl_->servers, kBlockStream), s, js_error);
  std::unique_ptr<jsStreamInfo, void (*)(jsStreamInfo*)> owned(info, jsStreamInfo_Destroy);
  jsStreamConfig* config = info->Config;
  const std::string prefix = LeafApiPrefix(domain);
  std::vector<jsStreamSource*> sources;
  for (int i = 0; i < config->SourcesLen; ++i) {
    const jsStreamSource* source = config->Sources[i];
    if (source->External != nullptr && source->External->APIPrefix != nullptr && prefix == source->External->APIPrefix) {
      return false;
    }
    sources.push_back(config->Sources[i]);
  }
  jsExternalStream external;
  jsExternalStream_Init(&external);
  external.APIPrefix = prefix.c_str();
  external.DeliverPrefix = "";  // the server's own ($JS.S...); libnats needs a string here
  jsStreamSource added;
  jsStreamSource_Init(&added);
  added.Name = kBlockStream;
  added.External = &external;
  sources.push_back(&added);
  // The stream's own configuration with one source more; the info keeps
  // ownership of what it allocated, so its list is put back before it goes.
  jsStreamSource** own_sources = config->Sources;
  const int own_count = config->SourcesLen;
  config->Sources = sources.data();
  config->SourcesLen = static_cast<int>(sources.size());
  jsStreamInfo* updated = nullptr;
  js_error = static_cast<jsErrCode>(0);
  s = js_UpdateStream(&updated, impl_->js, config, nullptr, &js_error);
  config->Sources = own_sources;
  config->SourcesLen = own_count;
  if (updated != nullptr) jsStreamInfo_Destroy(updated);
  if (auto refused = Refused(); refused && s != NATS_OK) return *refused;
  if (s != NATS_OK) {
    return NatsError(fmt::format("{}: adding the leaf domain {} as a source of stream {}", impl_->servers, domain, kBlockStream), s,
                     js_error);
  }
  return true;
}

std::optional<Status> NatsLink::Refused() {
  std::lock_guard lock(impl_->refusal_mutex);
  if (impl_->refusal.empty()) return std::nullopt;
  return Status::InvalidArgument(fmt::format("{}: refused by the server: {}; these credentials may not do that (each site "
                                             "may publish only its own subject)",
                                             impl_->servers, impl_->refusal));
}

int64_t NatsLink::MaxPayload() const { return natsConnection_GetMaxPayload(impl_->connection); }

Result<std::optional<StoredMessage>> NatsLink::LastOnSubject(const std::string& subject) {
  natsMsg* msg = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = NATS_TIMEOUT;
  // A stream that has just been created or lost its leader times out a while.
  for (int attempt = 0; attempt < kStreamAttempts && s == NATS_TIMEOUT; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(kStreamRetry_ms));
    js_error = static_cast<jsErrCode>(0);
    s = js_GetLastMsg(&msg, impl_->js, kBlockStream, subject.c_str(), nullptr, &js_error);
    if (auto refused = Refused(); refused && s != NATS_OK) return *refused;
  }
  if (s == NATS_NOT_FOUND || js_error == JSNoMessageFoundErr) return std::optional<StoredMessage>();
  if (s != NATS_OK) return NatsError(fmt::format("{}: last message on {}", impl_->servers, subject), s, js_error);
  StoredMessage stored;
  stored.stream_seq = natsMsg_GetSequence(msg);
  stored.data.assign(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
  natsMsg_Destroy(msg);
  return std::optional<StoredMessage>(std::move(stored));
}

Result<Published> NatsLink::Publish(const std::string& subject, const std::string& data, const std::string& msg_id,
                                    std::optional<uint64_t> expected_last_subject_seq) {
  natsMsg* msg = nullptr;
  natsStatus s = natsMsg_Create(&msg, subject.c_str(), nullptr, data.data(), static_cast<int>(data.size()));
  if (s != NATS_OK) return NatsError("building a message", s);
  std::unique_ptr<natsMsg, void (*)(natsMsg*)> owned(msg, natsMsg_Destroy);
  // Set by hand: the client leaves out an expected sequence of 0, and 0 is
  // what says "this subject must still be empty".
  s = natsMsgHeader_Set(msg, "Nats-Msg-Id", msg_id.c_str());
  if (s == NATS_OK && expected_last_subject_seq) {
    const std::string expected = std::to_string(*expected_last_subject_seq);
    s = natsMsgHeader_Set(msg, "Nats-Expected-Last-Subject-Sequence", expected.c_str());
  }
  if (s != NATS_OK) return NatsError("building a message", s);
  jsPubAck* ack = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  s = NATS_TIMEOUT;
  // No answer is not a no: the same message again is stored once (its id),
  // so a publish that timed out is simply repeated.
  for (int attempt = 0; attempt < kStreamAttempts && s == NATS_TIMEOUT; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(kStreamRetry_ms));
    js_error = static_cast<jsErrCode>(0);
    s = js_PublishMsg(&ack, impl_->js, msg, nullptr, &js_error);
    if (auto refused = Refused(); refused && s != NATS_OK) return *refused;
  }
  if (s != NATS_OK) {
    Status error = NatsError(fmt::format("{}: publishing {} to {}", impl_->servers, msg_id, subject), s, js_error);
    // Another shipper of the site got there first: the caller re-reads the stream.
    if (js_error == JSStreamWrongLastSequenceErr) return Status::Closed(error.message());
    return error;
  }
  Published published{ack->Sequence, ack->Duplicate};
  jsPubAck_Destroy(ack);
  return published;
}

}  // namespace packtwin::fleet
