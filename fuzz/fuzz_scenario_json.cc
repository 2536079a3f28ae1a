// Scenario files: any text is a scenario or an error naming the JSON path.
#include <cstddef>
#include <cstdint>
#include <string>

#include "packtwin/replay/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)packtwin::replay::ParseScenario(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
  return 0;
}
