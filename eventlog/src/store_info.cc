#include "packtwin/eventlog/store_info.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "packtwin/eventlog/event_kind.h"
#include "packtwin/base/time_spec.h"

namespace packtwin::eventlog {
namespace {

std::string MetaValue(const StoreMeta& meta, const char* key) {
  auto found = meta.find(key);
  return found == meta.end() ? "" : found->second;
}

std::string KindName(int kind) {
  auto name = EventKindName(kind);
  return name ? std::string(*name) : fmt::format("kind{}", kind);
}

std::string ChainText(const ChainReport& chain) {
  if (chain.intact) return fmt::format("intact ({} events, head {})", chain.events_checked, chain.head_hex.substr(0, 16));
  return fmt::format("BROKEN at seq {}: {}", chain.first_bad_seq.value_or(0), chain.problem);
}

std::string Span(const EventCounts& counts) {
  if (counts.events == 0) return "empty";
  // The header columns are read before any record is checked: a damaged
  // file's may be any number (the chain walk reports the damage).
  int64_t span_ns = 0;
  if (__builtin_sub_overflow(counts.last_wall_ns, counts.first_wall_ns, &span_ns)) return "unknown (damaged time columns)";
  return fmt::format("{} .. {} ({}.{:03} s)", FormatDisplayTime(counts.first_wall_ns), FormatDisplayTime(counts.last_wall_ns),
                     span_ns / 1'000'000'000, (span_ns % 1'000'000'000) / 1'000'000);
}

}  // namespace

Result<StoreInfo> CollectInfo(EventReader& reader, const ProgressFn& progress) {
  StoreInfo info;
  info.path = reader.path();
  std::error_code ec;
  info.file_bytes = std::filesystem::file_size(info.path, ec);
  auto meta = reader.Meta();
  if (!meta.ok()) return meta.status();
  info.meta = std::move(*meta);
  auto sources = reader.Sources();
  if (!sources.ok()) return sources.status();
  info.sources = std::move(*sources);
  auto counts = reader.Counts();
  if (!counts.ok()) return counts.status();
  info.counts = *counts;
  auto by_kind = reader.CountByKindAndSource();
  if (!by_kind.ok()) return by_kind.status();
  info.by_kind_and_source = std::move(*by_kind);
  auto chain = VerifyChain(reader, progress);
  if (!chain.ok()) return chain.status();
  info.chain = std::move(*chain);
  return info;
}

std::string InfoAsText(const StoreInfo& info) {
  std::string out;
  out += fmt::format("file        {} ({} bytes)\n", info.path, info.file_bytes);
  out += fmt::format("schema      {} (written by packtwin {})\n", MetaValue(info.meta, meta_key::kSchemaVersion),
                     MetaValue(info.meta, meta_key::kToolVersion));
  const std::string site = MetaValue(info.meta, meta_key::kSite);
  out += fmt::format("site        {}\n", site.empty() ? "(not set)" : site);
  out += fmt::format("events      {} (seq {}..{})\n", info.counts.events, info.counts.first_seq, info.counts.last_seq);
  out += fmt::format("time span   {}\n", Span(info.counts));
  out += "sources    ";
  for (const auto& source : info.sources) out += fmt::format(" {}", source.name);
  out += "\n";
  // kind -> source -> count, as a small table.
  std::map<std::string, std::map<std::string, uint64_t>> table;
  for (const auto& row : info.by_kind_and_source) table[KindName(row.kind)][row.source] += row.events;
  out += "by kind and source\n";
  for (const auto& [kind, per_source] : table) {
    uint64_t total = 0;
    std::string parts;
    for (const auto& [source, count] : per_source) {
      total += count;
      parts += fmt::format("  {}={}", source, count);
    }
    out += fmt::format("  {:<14} {:>10}  {}\n", kind, total, parts);
  }
  out += fmt::format("chain       {}\n", ChainText(info.chain));
  return out;
}

nlohmann::ordered_json InfoAsJson(const StoreInfo& info) {
  nlohmann::ordered_json out;
  out["file"] = info.path;
  out["file_bytes"] = info.file_bytes;
  out["schema_version"] = MetaValue(info.meta, meta_key::kSchemaVersion);
  out["tool_version"] = MetaValue(info.meta, meta_key::kToolVersion);
  out["site"] = MetaValue(info.meta, meta_key::kSite);
  out["events"] = info.counts.events;
  out["first_seq"] = info.counts.first_seq;
  out["last_seq"] = info.counts.last_seq;
  if (info.counts.events > 0) {
    out["first_time"] = FormatUtc(info.counts.first_wall_ns);
    out["last_time"] = FormatUtc(info.counts.last_wall_ns);
    out["first_wall_ns"] = info.counts.first_wall_ns;
    out["last_wall_ns"] = info.counts.last_wall_ns;
  }
  auto& sources = out["sources"] = nlohmann::ordered_json::array();
  for (const auto& source : info.sources) {
    sources.push_back({{"name", source.name}, {"config", source.config}});
  }
  auto& kinds = out["by_kind_and_source"] = nlohmann::ordered_json::array();
  for (const auto& row : info.by_kind_and_source) {
    kinds.push_back({{"kind", KindName(row.kind)}, {"source", row.source}, {"events", row.events}});
  }
  auto& chain = out["chain"];
  chain["intact"] = info.chain.intact;
  chain["events_checked"] = info.chain.events_checked;
  chain["head"] = info.chain.head_hex;
  if (!info.chain.intact) {
    chain["first_bad_seq"] = info.chain.first_bad_seq.value_or(0);
    chain["problem"] = info.chain.problem;
  }
  return out;
}

}  // namespace packtwin::eventlog
