// A log's blocks exactly as stored: what `ship` sends and `collect` appends,
// so a collected log holds the same records and the same chain as its source.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "packtwin/base/status.h"
#include "packtwin/eventlog/sqlite_db.h"
#include "packtwin/eventlog/store_format.h"

namespace packtwin::eventlog {

struct StoredBlock {
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  int64_t min_wall_ns = 0;
  int64_t max_wall_ns = 0;
  int64_t kinds = 0;
  std::string body;  // the compact records (block_codec.h)
  std::string hash;  // the chain head after last_seq, 32 bytes
};

// Reads a schema 2 log's blocks as stored. Every call asks the file again, so
// a log that `record` is still writing shows the blocks committed since.
class BlockFile {
 public:
  static Result<std::unique_ptr<BlockFile>> Open(const std::string& path);

  const std::string& path() const { return path_; }
  // Up to `limit` blocks whose first seq is after `after_seq`, in order.
  Result<std::vector<StoredBlock>> BlocksAfter(uint64_t after_seq, size_t limit);
  // How many blocks begin after `after_seq` (what is still to ship).
  Result<uint64_t> CountAfter(uint64_t after_seq);
  Result<std::vector<SourceInfo>> Sources();
  Result<StoreMeta> Meta();

 private:
  BlockFile(sqlite::Db db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}
  sqlite::Db db_;
  std::string path_;
};

}  // namespace packtwin::eventlog
