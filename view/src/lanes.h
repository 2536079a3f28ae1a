// The view's lanes: what was on, and since when, drawn as bands on the time
// axis. Per pack: each relay while closed (coloured by the cause that closed
// it), each function while on, the grid-import lockout, each alarm while
// raised. For the site: the master by the rules, each node while online, and
// the app's commands with the packs' acknowledgements as moments. Built from
// the twin's changes (the same ones `timeline` prints), in one pass.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "packtwin/twin/timeline.h"
#include "packtwin/twin/twin_state.h"

namespace packtwin::view {

class LaneBuilder {
 public:
  // `start_ns`: the log's start, where a relay closed before the log begins.
  explicit LaneBuilder(int64_t start_ns) : start_ns_(start_ns) {}
  void Add(const twin::Change& change);
  // Bands still open end at `end_ns`; a relay `state` shows closed that never
  // changed is closed from the log's start ("cause unknown": no change said why). JSON: {"packs": {"0x2A": [band...]},
  // "site": [band...], "moments": [moment...]}; a band is {lane, label, from_ns,
  // to_ns}, a moment {lane, t_ns, text}.
  nlohmann::ordered_json Finish(int64_t end_ns, const twin::TwinState& state);

 private:
  struct Open {
    std::string label;
    int64_t from_ns = 0;
  };
  // (node, lane) -> the band being drawn; node 0 is the site.
  using Key = std::pair<uint8_t, std::string>;
  void Begin(uint8_t node, const std::string& lane, const std::string& label, int64_t at_ns);
  void End(uint8_t node, const std::string& lane, int64_t at_ns);
  void EndSinceStart(uint8_t node, const std::string& lane, const std::string& label, int64_t at_ns);

  int64_t start_ns_;
  std::map<Key, Open> open_;
  std::map<uint8_t, nlohmann::ordered_json> bands_;  // node -> bands ended
  nlohmann::ordered_json moments_ = nlohmann::ordered_json::array();
  static constexpr size_t kMaxMoments = 20'000;  // app commands and acks: a list to read, not a log
};

}  // namespace packtwin::view
