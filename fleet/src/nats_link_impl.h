// The libnats handles behind NatsLink, for the fleet's own sources.
#pragma once

#include <nats/nats.h>

#include <mutex>
#include <string>

#include "packtwin/base/status.h"
#include "packtwin/fleet/nats_link.h"

namespace packtwin::fleet {

struct NatsLink::Impl {
  // A refusal the server sends on its own (a publish or subscription the
  // account's permissions do not allow): the request itself only times out.
  std::mutex refusal_mutex;
  std::string refusal;

  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  natsSubscription* subscription = nullptr;
  std::string servers;  // for messages
};

// "doing: <libnats text> (<JetStream error code>)"
Status NatsError(const std::string& doing, natsStatus status, jsErrCode js_error = static_cast<jsErrCode>(0));

}  // namespace packtwin::fleet
