// RAII over the SQLite C API, errors as Status.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "packtwin/base/file_use.h"
#include "packtwin/base/status.h"

namespace packtwin::eventlog::sqlite {

class Statement;

class Db {
 public:
  Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  Db(Db&& other) noexcept : db_(other.db_), path_(std::move(other.path_)), in_use_(std::move(other.in_use_)) {
    other.db_ = nullptr;
  }
  Db& operator=(Db&& other) noexcept {
    if (this != &other) {
      if (db_ != nullptr) sqlite3_close_v2(db_);
      db_ = other.db_;
      path_ = std::move(other.path_);
      in_use_ = std::move(other.in_use_);
      other.db_ = nullptr;
    }
    return *this;
  }
  ~Db();

  static Result<Db> Open(const std::string& path, int flags);
  Status Exec(const std::string& sql);
  Result<Statement> Prepare(std::string_view sql);
  Status Close();
  sqlite3* handle() { return db_; }
  // "site.db: database disk image is malformed"
  Status Error(std::string_view doing) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  SharedUseMark in_use_;  // tells other packtwin processes this file is open
};

class Statement {
 public:
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_(other.db_) { other.stmt_ = nullptr; }
  ~Statement();

  void BindInt(int index, int64_t value);
  void BindNull(int index);
  void BindText(int index, std::string_view text);
  void BindBlob(int index, const void* data, size_t size);
  void BindOptional(int index, std::optional<int64_t> value);
  // SQLITE_ROW -> true, SQLITE_DONE -> false, anything else -> error.
  Result<bool> Step();
  void Reset();

  int64_t ColumnInt(int index);
  bool ColumnIsNull(int index);
  std::string ColumnText(int index);
  std::string ColumnBlob(int index);
  // The column's bytes without a copy: valid until the next Step, Reset or
  // the statement's end (SQLite owns them).
  std::string_view ColumnTextView(int index);
  std::string_view ColumnBlobView(int index);

 private:
  friend class Db;
  Statement(sqlite3_stmt* stmt, const Db* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_ = nullptr;
  const Db* db_ = nullptr;
};

}  // namespace packtwin::eventlog::sqlite
