#include "packtwin/eventlog/sqlite_db.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace packtwin::eventlog::sqlite {

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Result<Db> Db::Open(const std::string& path, int flags) {
  Db db;
  db.path_ = path;
  const int rc = sqlite3_open_v2(path.c_str(), &db.db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    return Status::IoError(fmt::format("{}: cannot open: {}", path, db.db_ ? sqlite3_errmsg(db.db_) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(db.db_, 1);
  sqlite3_busy_timeout(db.db_, 5000);
  db.in_use_ = SharedUseMark(path);
  return db;
}

Status Db::Exec(const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK) return Status::Ok();
  return Error(sql.substr(0, sql.find_first_of(" ;")) == "COMMIT" ? "committing events" : "running '" + sql + "'");
}

Result<Statement> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
      SQLITE_OK) {
    return Error("preparing a query");
  }
  return Statement(stmt, this);
}

Status Db::Close() {
  if (db_ == nullptr) return Status::Ok();
  const int rc = sqlite3_close(db_);
  if (rc != SQLITE_OK) return Error("closing");
  db_ = nullptr;
  return Status::Ok();
}

Status Db::Error(std::string_view doing) const {
  const int code = sqlite3_extended_errcode(db_);
  const int os_error = sqlite3_system_errno(db_);
  std::string hint;
  if ((code & 0xFF) == SQLITE_IOERR && os_error != 0) hint = fmt::format(" ({})", std::strerror(os_error));
  // A write cut short (no errno): a full disk or a file size limit, most likely.
  if (code == SQLITE_IOERR_WRITE && os_error == 0) {
    hint = " (a write was cut short: the disk may be full or a file size limit reached; free space and record again)";
  }
  if ((code & 0xFF) == SQLITE_FULL || os_error == ENOSPC || os_error == EFBIG) {
    hint = " (the disk is full or the file size limit was reached: free space and record again)";
  }
  if ((code & 0xFF) == SQLITE_NOTADB) hint = " (not an SQLite database)";
  if ((code & 0xFF) == SQLITE_CORRUPT) hint = " (the file is damaged or truncated)";
  return Status::IoError(fmt::format("{}: {} while {}{}", path_, sqlite3_errmsg(db_), doing, hint));
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

void Statement::BindInt(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
void Statement::BindNull(int index) { sqlite3_bind_null(stmt_, index); }
void Statement::BindText(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}
void Statement::BindBlob(int index, const void* data, size_t size) {
  sqlite3_bind_blob(stmt_, index, data, static_cast<int>(size), SQLITE_TRANSIENT);
}
void Statement::BindOptional(int index, std::optional<int64_t> value) {
  if (value) {
    BindInt(index, *value);
  } else {
    BindNull(index);
  }
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error("reading or writing events");
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::ColumnInt(int index) { return sqlite3_column_int64(stmt_, index); }
bool Statement::ColumnIsNull(int index) { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }
std::string_view Statement::ColumnTextView(int index) {
  const auto* text = sqlite3_column_text(stmt_, index);
  return text ? std::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt_, index)))
              : std::string_view();
}
std::string_view Statement::ColumnBlobView(int index) {
  const void* blob = sqlite3_column_blob(stmt_, index);
  return blob ? std::string_view(static_cast<const char*>(blob), static_cast<size_t>(sqlite3_column_bytes(stmt_, index)))
              : std::string_view();
}
std::string Statement::ColumnText(int index) { return std::string(ColumnTextView(index)); }
std::string Statement::ColumnBlob(int index) { return std::string(ColumnBlobView(index)); }

}  // namespace packtwin::eventlog::sqlite
