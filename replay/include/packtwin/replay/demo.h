// The README's main job until the simulator exists: import a shipped capture
// into a fresh log and show what packtwin makes of it.
#pragma once

#include <ostream>
#include <string>

#include "packtwin/eventlog/status.h"

namespace packtwin::replay {

struct DemoRequest {
  std::string capture;     // a candump or ASC file
  std::string work_dir;    // where the demo's .db is written
  std::string tool_version;
  int first_frames = 12;
};

Status RunDemo(const DemoRequest& request, std::ostream& out);

}  // namespace packtwin::replay
