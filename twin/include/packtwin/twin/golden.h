// Regression from logs: a golden file holds what the twin made of a capture
// (its decision timeline, check findings and digests every so many events);
// regress rebuilds with the current reducers and reports the first difference.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "packtwin/eventlog/event_reader.h"

namespace packtwin::twin {

inline constexpr uint64_t kGoldenDigestEvery = 10'000;

Result<nlohmann::ordered_json> MakeGolden(eventlog::EventReader& reader);

struct GoldenDifference {
  uint64_t seq = 0;
  std::string what;    // "timeline", "finding", "digest", "events"
  std::string before;  // in the golden file
  std::string after;   // with the current reducers
};

// The first difference between the golden file and a fresh rebuild, if any.
Result<std::optional<GoldenDifference>> Regress(eventlog::EventReader& reader, const nlohmann::json& golden);

}  // namespace packtwin::twin
