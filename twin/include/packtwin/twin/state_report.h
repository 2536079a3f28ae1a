// `packtwin state`: the fleet and each pack at a moment, as text or JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "packtwin/twin/twin_state.h"

namespace packtwin::twin {

// `at_wall_ns` is the moment shown (liveness and blinking indicators depend on it).
std::string StateAsText(const TwinState& state, int64_t at_wall_ns, std::optional<uint8_t> only_node);
nlohmann::ordered_json StateAsJson(const TwinState& state, int64_t at_wall_ns, std::optional<uint8_t> only_node);

}  // namespace packtwin::twin
