#include "packtwin/eventlog/stored_block.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "packtwin/eventlog/wal_check.h"
#include "reader_parts.h"
#include "store_schema.h"

namespace packtwin::eventlog {

Result<std::unique_ptr<BlockFile>> BlockFile::Open(const std::string& path) {
  auto opened = reader::OpenLogFile(path);
  if (!opened.ok()) return opened.status();
  if (opened->schema != kSchemaVersion) {
    return Status::InvalidArgument(fmt::format(
        "{}: written by an older packtwin (schema {}, an event per row) and has no blocks to send; "
        "make a current log of it with 'packtwin export {} --format jsonl' and 'packtwin import'",
        path, opened->schema, path));
  }
  return std::unique_ptr<BlockFile>(new BlockFile(std::move(opened->db), path));
}

Result<uint64_t> BlockFile::CountAfter(uint64_t after_seq) {
  auto stmt = db_.Prepare("SELECT count(*) FROM blocks WHERE first_seq > ?");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, static_cast<int64_t>(std::min<uint64_t>(after_seq, INT64_MAX)));
  auto row = stmt->Step();
  if (!row.ok()) return row.status().Context(path_ + ": ");
  return *row ? static_cast<uint64_t>(stmt->ColumnInt(0)) : 0;
}

Result<std::vector<StoredBlock>> BlockFile::BlocksAfter(uint64_t after_seq, size_t limit) {
  auto stmt = db_.Prepare(
      "SELECT first_seq, last_seq, min_wall_ns, max_wall_ns, kinds, body, hash FROM blocks WHERE first_seq > ? "
      "ORDER BY first_seq LIMIT ?");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, static_cast<int64_t>(std::min<uint64_t>(after_seq, INT64_MAX)));
  stmt->BindInt(2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<StoredBlock> blocks;
  // Bounded by `limit`.
  while (true) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status().Context(path_ + ": ");
    if (!*row) return blocks;
    StoredBlock block;
    block.first_seq = static_cast<uint64_t>(stmt->ColumnInt(0));
    block.last_seq = static_cast<uint64_t>(stmt->ColumnInt(1));
    block.min_wall_ns = stmt->ColumnInt(2);
    block.max_wall_ns = stmt->ColumnInt(3);
    block.kinds = stmt->ColumnInt(4);
    block.body = stmt->ColumnBlob(5);
    block.hash = stmt->ColumnBlob(6);
    blocks.push_back(std::move(block));
  }
}

Result<std::vector<SourceInfo>> BlockFile::Sources() { return reader::ReadSources(db_); }

Result<StoreMeta> BlockFile::Meta() { return reader::ReadMeta(db_); }

}  // namespace packtwin::eventlog
