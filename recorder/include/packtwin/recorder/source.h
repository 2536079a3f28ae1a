// A live capture source: it owns file descriptors the recorder polls, and
// turns what it reads into events. One thread drives every source.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "packtwin/bus/clock.h"
#include "packtwin/base/status.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::recorder {

// Hands events to the log; returns the event's seq.
using EventSink = std::function<Result<uint64_t>(v1::Event)>;

struct SourceStats {
  uint64_t events = 0;
  uint64_t frames_lost = 0;  // reported by the device or kernel
  uint64_t gaps = 0;
  uint64_t malformed = 0;  // bytes or messages that form no frame
  uint64_t unpaired = 0;   // well-formed replies no recorded request asked for
};

class Source {
 public:
  virtual ~Source() = default;
  // The name in the log, e.g. "can0" or "slcan:/dev/ttyACM0".
  virtual const std::string& name() const = 0;
  virtual std::string config_json() const = 0;
  // Opens and configures the device; an error says which and why.
  virtual Status Start() = 0;
  virtual std::vector<int> fds() const = 0;
  // `fd` is readable (or hung up): read it and emit events. An error means
  // this source has failed; the others keep recording.
  virtual Status OnReadable(int fd, short revents, const EventSink& sink) = 0;
  // Called about every 100 ms: timeouts that need no I/O (e.g. an RTU frame
  // ending in silence).
  virtual Status OnTick(const EventSink& /*sink*/) { return Status::Ok(); }
  // The recording is stopping: record what is still in flight (a request
  // waiting for its reply, bytes not yet ended by silence).
  virtual Status Drain(const EventSink& /*sink*/) { return Status::Ok(); }
  // Leaves the device as found (slcan: close the channel).
  virtual void Stop() = 0;
  const SourceStats& stats() const { return stats_; }

 protected:
  SourceStats stats_;
};

// An event stamped now, from `source`.
v1::Event NewEvent(const std::string& source);

}  // namespace packtwin::recorder
