// The live table `packtwin monitor` draws: each node's latest state from its
// protocol v1 frames (decoded by the firmware's table), and below it every CAN
// id seen with its count, period and last data, as python-can's can.viewer shows.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "packtwin/eventlog/interface_names.h"
#include "packtwin/v1/event.pb.h"

namespace packtwin::cli {

class NodeTableView {
 public:
  void Update(const v1::Event& event);
  // The whole screen, `now_ns` giving the ages; at most `max_ids` raw rows.
  std::string Render(int64_t now_ns, size_t max_ids) const;
  size_t nodes() const { return nodes_.size(); }

 private:
  struct Node {
    std::map<std::string, std::string> values;  // signal name -> shown value
    int64_t last_ns = 0;
    uint64_t frames = 0;
  };
  struct Id {
    std::string channel, name, data;
    uint64_t count = 0;
    int64_t last_ns = 0;
    int64_t period_ns = 0;
  };
  std::map<uint32_t, Node> nodes_;
  std::map<std::pair<std::string, uint32_t>, Id> ids_;
  eventlog::InterfaceNames interfaces_;  // slcan0 for "slcan:/dev/ttyACM0", as exports name it
  uint64_t modbus_ = 0;
  uint64_t mqtt_ = 0;
};

}  // namespace packtwin::cli
