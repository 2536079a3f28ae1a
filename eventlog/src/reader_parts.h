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

Result<StoreMeta> ReadMeta(sqlite::Db& db);
Result<std::vector<SourceInfo>> ReadSources(sqlite::Db& db);
Result<EventCounts> QueryCounts(sqlite::Db& db, const char* sql);

std::unique_ptr<EventReader> OpenRows(sqlite::Db db, std::string path);
Result<std::unique_ptr<EventReader>> OpenBlocks(sqlite::Db db, std::string path);

}  // namespace packtwin::eventlog::reader
