// What the schema 1 and schema 2 readers share, and how EventReader::Open
// makes either (event_reader.cc is the reader's face; row_reader.cc reads
// schema 1, one row per event; block_reader.cc reads schema 2 blocks).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/eventlog/sqlite_db.h"

namespace packtwin::eventlog::reader {

// Opens a log read-only after the checks every reader makes (there, not a
// directory, its WAL belongs to it, a packtwin schema); the schema version
// comes back with the connection.
struct OpenedLog {
  sqlite::Db db;
  int schema = 0;
};
Result<OpenedLog> OpenLogFile(const std::string& path);

Result<StoreMeta> ReadMeta(sqlite::Db& db);
Result<std::vector<SourceInfo>> ReadSources(sqlite::Db& db);
Result<EventCounts> QueryCounts(sqlite::Db& db, const char* sql);

std::unique_ptr<EventReader> OpenRows(sqlite::Db db, std::string path);
Result<std::unique_ptr<EventReader>> OpenBlocks(sqlite::Db db, std::string path);

}  // namespace packtwin::eventlog::reader
