#include "store_schema.h"

#include <fmt/format.h>

#include "packtwin/eventlog/store_format.h"

namespace packtwin::eventlog {
namespace {

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  config TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE blocks (
  first_seq INTEGER PRIMARY KEY,
  last_seq INTEGER NOT NULL,
  min_wall_ns INTEGER NOT NULL,
  max_wall_ns INTEGER NOT NULL,
  kinds INTEGER NOT NULL,
  body BLOB NOT NULL,
  hash BLOB NOT NULL
);
CREATE INDEX blocks_by_wall_time ON blocks(max_wall_ns);
CREATE TABLE record_checks (
  first_seq INTEGER PRIMARY KEY,
  checks BLOB NOT NULL
);
CREATE TRIGGER record_checks_refuse_update BEFORE UPDATE ON record_checks
  BEGIN SELECT RAISE(ABORT, 'packtwin: events are immutable; UPDATE refused'); END;
CREATE TRIGGER record_checks_refuse_delete BEFORE DELETE ON record_checks
  BEGIN SELECT RAISE(ABORT, 'packtwin: events are immutable; DELETE refused'); END;
CREATE TRIGGER blocks_refuse_update BEFORE UPDATE ON blocks
  BEGIN SELECT RAISE(ABORT, 'packtwin: events are immutable; UPDATE refused'); END;
CREATE TRIGGER blocks_refuse_delete BEFORE DELETE ON blocks
  BEGIN SELECT RAISE(ABORT, 'packtwin: events are immutable; DELETE refused'); END;
CREATE TRIGGER sources_refuse_update BEFORE UPDATE ON sources
  BEGIN SELECT RAISE(ABORT, 'packtwin: sources are immutable; UPDATE refused'); END;
CREATE TRIGGER sources_refuse_delete BEFORE DELETE ON sources
  BEGIN SELECT RAISE(ABORT, 'packtwin: sources are immutable; DELETE refused'); END;
)sql";

Result<int64_t> PragmaInt(sqlite::Db& db, const char* pragma) {
  auto stmt = db.Prepare(fmt::format("PRAGMA {}", pragma));
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::IoError(fmt::format("PRAGMA {} returned nothing", pragma));
  return stmt->ColumnInt(0);
}

}  // namespace

Result<bool> HasRecordChecks(sqlite::Db& db) {
  auto stmt = db.Prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='record_checks'");
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  return *row && stmt->ColumnInt(0) == 1;
}

Status CreateSchema(sqlite::Db& db) {
  PACKTWIN_RETURN_IF_ERROR(db.Exec(fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {};",
                                               kApplicationId, kSchemaVersion)));
  return db.Exec(kSchemaSql);
}

Result<int> CheckSchema(sqlite::Db& db, const std::string& path) {
  auto app_id = PragmaInt(db, "application_id");
  if (!app_id.ok()) {
    if ((sqlite3_extended_errcode(db.handle()) & 0xFF) == SQLITE_CORRUPT) {
      // SQLite cannot read its own pages: reported as a read failure (exit 1),
      // apart from the hash chain's verdict on readable contents (exit 2).
      return Status::IoError(fmt::format(
          "{}: damaged or truncated capture: {}; committed events may be recoverable with 'sqlite3 {} .recover'", path,
          sqlite3_errmsg(db.handle()), path));
    }
    return Status::InvalidArgument(fmt::format("{}: not a packtwin capture: {} (give a .db written by packtwin import or record)",
                                     path, sqlite3_errmsg(db.handle())));
  }
  if (*app_id != kApplicationId) {
    return Status::InvalidArgument(fmt::format(
        "{}: not a packtwin capture (an SQLite database with application_id {:#x}, expected {:#x}); "
        "import CAN logs with 'packtwin import'",
        path, *app_id, kApplicationId));
  }
  auto version = PragmaInt(db, "user_version");
  if (!version.ok()) return version.status();
  if (*version > kSchemaVersion) {
    return Status::InvalidArgument(fmt::format(
        "{}: written by a newer packtwin (schema version {}; this packtwin reads up to {}). "
        "Upgrade packtwin to read it; the file is left untouched.",
        path, *version, kSchemaVersion));
  }
  if (*version < 1) return Status::InvalidArgument(fmt::format("{}: damaged packtwin capture: schema version {}", path, *version));
  const char* events_table = *version == 1 ? "events" : "blocks";
  auto tables = db.Prepare(fmt::format(
      "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('meta','sources','{}')", events_table));
  if (!tables.ok()) return tables.status();
  auto row = tables->Step();
  if (!row.ok()) return row.status().Context(path + ": damaged packtwin capture: ");
  if (tables->ColumnInt(0) != 3) {
    return Status::InvalidArgument(
        fmt::format("{}: damaged packtwin capture: tables meta, sources or {} are missing", path, events_table));
  }
  return static_cast<int>(*version);
}

}  // namespace packtwin::eventlog
