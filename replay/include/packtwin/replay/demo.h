// The README's main job: simulate a 3-pack site for a day, then show what the
// twin makes of the capture: the fleet state at the end, a summary of the
// timeline, and the check result.
#pragma once

#include <ostream>
#include <string>

#include "packtwin/base/status.h"

namespace packtwin::replay {

struct DemoRequest {
  std::string work_dir;  // where demo.db is written
  std::string tool_version;
  int packs = 3;
  int64_t duration_ms = 24LL * 3'600'000;
  uint64_t seed = 1;
};

// Returns the check's verdict: ok when clean.
Status RunDemo(const DemoRequest& request, std::ostream& out);

}  // namespace packtwin::replay
