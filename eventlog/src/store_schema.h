// The event-log schema and the checks that a file is one we can read.
#pragma once

#include <string>

#include "packtwin/base/status.h"
#include "packtwin/eventlog/sqlite_db.h"

namespace packtwin::eventlog {

// Creates tables, indexes and the immutability triggers in a new file.
Status CreateSchema(sqlite::Db& db);

// Whether the file keeps a check per record (record_checks.h): schema 2
// files written before the checks were added have none.
Result<bool> HasRecordChecks(sqlite::Db& db);

// Refuses files that are not SQLite, not ours, or from a newer schema, with a
// message that says which and what to do; else the file's schema version
// (1: a row per event; 2: blocks of compact records).
Result<int> CheckSchema(sqlite::Db& db, const std::string& path);

}  // namespace packtwin::eventlog
