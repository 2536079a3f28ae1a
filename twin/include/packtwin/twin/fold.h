// Folds events, in sequence order, into the twin's state; reports each state
// change it sees. The same events always give the same state and digest.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>

#include "packtwin/twin/timeline.h"
#include "packtwin/twin/twin_state.h"
#include "packtwin/twin/typed_event.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::twin {

using ChangeFn = std::function<void(const Change&)>;

class Folder {
 public:
  explicit Folder(ChangeFn on_change = {}) : on_change_(std::move(on_change)) {}
  // Continues from a state folded earlier (a snapshot).
  explicit Folder(TwinState from) : state_(std::move(from)) {}
  void Fold(const TypedEvent& typed);
  void Fold(const v1::Event& event) { Fold(TypeEvent(event)); }
  const TwinState& state() const { return state_; }

 private:
  void OnCanFrame(const TypedEvent& typed);
  // Hands a change to the consumer, if there is one; `fill` sets what changed.
  template <typename Fill>
  void Emit(const TypedEvent& typed, uint8_t node, ChangeKind kind, Fill&& fill);
  void EmitFindings(const firmware::FleetFindings& findings, const TypedEvent& typed);
  PackView& Pack(uint8_t node);
  void NoteAppCommand(const TypedEvent& typed);

  TwinState state_;
  ChangeFn on_change_;
  // A lower bound of the fleet's next node expiry, so a fold does not scan
  // every node slot per event: heartbeats only move expiries later, except a
  // node's first, which expires a TTL from now.
  uint64_t fleet_due_ms_ = 0;
  // Timeline only: the app command a COMMAND frame carries, and whose ACKs are whose.
  std::string last_app_id_;
  int64_t last_app_ns_ = 0;
  uint8_t last_app_cmd_ = 0;
  std::map<uint16_t, std::pair<std::string, int64_t>> app_of_command_;  // cmd << 8 | seq -> app id, when sent
};

}  // namespace packtwin::twin
