#include "reader_parts.h"

#include <fmt/format.h>

#include <filesystem>

#include "packtwin/eventlog/wal_check.h"

#include "store_schema.h"

namespace packtwin::eventlog::reader {

Result<OpenedLog> OpenLogFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound(fmt::format("{}: no such file", path));
  if (std::filesystem::is_directory(path, ec)) return Status::InvalidArgument(fmt::format("{}: is a directory, not a capture", path));
  // The WAL is part of the log: SQLite would silently read a damaged one as a shorter (or empty) log.
  if (auto problem = CheckWal(path)) {
    return Status::Corruption(fmt::format("{}; the log is damaged: run packtwin verify on a copy of both files", *problem));
  }
  auto db = sqlite::Db::Open(path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.status();
  auto schema = CheckSchema(*db, path);
  if (!schema.ok()) return schema.status();
  return OpenedLog{std::move(*db), *schema};
}

Result<StoreMeta> ReadMeta(sqlite::Db& db) {
  auto stmt = db.Prepare("SELECT key, value FROM meta");
  if (!stmt.ok()) return stmt.status();
  StoreMeta meta;
  while (true) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return meta;
    meta[stmt->ColumnText(0)] = stmt->ColumnText(1);
  }
}

Result<std::vector<SourceInfo>> ReadSources(sqlite::Db& db) {
  auto stmt = db.Prepare("SELECT id, name, config FROM sources ORDER BY id");
  if (!stmt.ok()) return stmt.status();
  std::vector<SourceInfo> sources;
  while (true) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return sources;
    sources.push_back({stmt->ColumnInt(0), stmt->ColumnText(1), stmt->ColumnText(2)});
  }
}

// `sql` selects events, first seq, last seq, first and last wall time.
Result<EventCounts> QueryCounts(sqlite::Db& db, const char* sql) {
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  EventCounts counts;
  counts.events = static_cast<uint64_t>(stmt->ColumnInt(0));
  counts.first_seq = static_cast<uint64_t>(stmt->ColumnInt(1));
  counts.last_seq = static_cast<uint64_t>(stmt->ColumnInt(2));
  counts.first_wall_ns = stmt->ColumnInt(3);
  counts.last_wall_ns = stmt->ColumnInt(4);
  return counts;
}

// Schema 1: a row per event.

}  // namespace packtwin::eventlog::reader
