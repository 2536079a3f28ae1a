// What `packtwin info` reports about a log: metadata, events by kind and
// source, time span, sources, schema version and the state of the hash chain.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/eventlog/verify.h"

namespace packtwin::eventlog {

struct StoreInfo {
  std::string path;
  uint64_t file_bytes = 0;
  StoreMeta meta;
  std::vector<SourceInfo> sources;
  EventCounts counts;
  std::vector<KindSourceCount> by_kind_and_source;
  ChainReport chain;
};

Result<StoreInfo> CollectInfo(EventReader& reader, const ProgressFn& progress = {});
std::string InfoAsText(const StoreInfo& info);
nlohmann::ordered_json InfoAsJson(const StoreInfo& info);

}  // namespace packtwin::eventlog
