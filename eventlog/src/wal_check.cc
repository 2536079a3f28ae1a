#include "packtwin/eventlog/wal_check.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <vector>

#include "packtwin/base/file_use.h"
#include "packtwin/eventlog/sqlite_db.h"

namespace packtwin::eventlog {
namespace {

constexpr size_t kWalHeaderBytes = 32;
constexpr size_t kFrameHeaderBytes = 24;
constexpr uint32_t kMagicLittleEndian = 0x377f0682;
constexpr uint32_t kMagicBigEndian = 0x377f0683;
constexpr uint64_t kMaxWalBytes = 1ull << 34;  // 16 GiB: larger is not a log's WAL

uint32_t Big32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}
uint32_t Little32(const uint8_t* p) {
  return static_cast<uint32_t>(p[3]) << 24 | static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[1]) << 8 | p[0];
}

// SQLite's WAL checksum: pairs of 32-bit words, in the byte order the magic names.
void Checksum(const uint8_t* data, size_t len, bool big_endian, uint32_t* s0, uint32_t* s1) {
  for (size_t i = 0; i + 8 <= len; i += 8) {
    const uint32_t x0 = big_endian ? Big32(data + i) : Little32(data + i);
    const uint32_t x1 = big_endian ? Big32(data + i + 4) : Little32(data + i + 4);
    *s0 += x0 + *s1;
    *s1 += x1 + *s0;
  }
}

// The page size in the main file's header (offset 16, big-endian; 1 means 65536).
std::optional<uint32_t> DbPageSize(const std::string& db_path) {
  std::ifstream db(db_path, std::ios::binary);
  std::array<uint8_t, 18> head{};
  if (!db.read(reinterpret_cast<char*>(head.data()), head.size())) return std::nullopt;
  const uint32_t size = static_cast<uint32_t>(head[16]) << 8 | head[17];
  return size == 1 ? 65536 : size;
}

// `path` as an SQLite URI that reads the main file alone: immutable=1 makes
// SQLite ignore the WAL (and take no locks).
std::string MainFileOnlyUri(const std::string& path) {
  std::string uri = "file:";
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      uri += fmt::format("%{:02x}", static_cast<unsigned char>(c));
    } else {
      uri += c;
    }
  }
  return uri + "?immutable=1";
}

struct LastBlock {
  int64_t first_seq = 0;
  int64_t last_seq = 0;
  std::string hash;
};

// The last block of the log as `db` reads it; none when it holds none or
// cannot be read as a log.
std::optional<LastBlock> ReadLastBlock(sqlite::Db& db) {
  auto stmt = db.Prepare("SELECT first_seq, last_seq, hash FROM blocks ORDER BY first_seq DESC LIMIT 1");
  if (!stmt.ok()) return std::nullopt;
  auto row = stmt->Step();
  if (!row.ok() || !*row) return std::nullopt;
  return LastBlock{stmt->ColumnInt(0), stmt->ColumnInt(1), stmt->ColumnBlob(2)};
}

// A WAL whose frames all check out may still be another log's (copied beside
// this one): its pages would then replace this log's. An append-only log's
// WAL only adds to what the main file holds, so the last block the main file
// holds on its own must read the same through the WAL. No verdict when the
// main file holds no block yet (the WAL is then the whole log), cannot be read
// alone, or another process has the log open (a live writer checkpoints
// while this reads).
std::optional<std::string> CheckWalBelongs(const std::string& db_path, const std::string& wal_path) {
  if (InUseByAnotherProcess(db_path)) return std::nullopt;
  auto alone = sqlite::Db::Open(MainFileOnlyUri(db_path), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
  if (!alone.ok()) return std::nullopt;
  const auto main_block = ReadLastBlock(*alone);
  if (!main_block) return std::nullopt;
  auto merged = sqlite::Db::Open(db_path, SQLITE_OPEN_READONLY);
  if (!merged.ok()) return std::nullopt;
  const auto foreign = [&](const char* how) {
    return fmt::format("{}: holds another log's pages: read with it, this log's events seq {} to {} are {}; move the WAL "
                       "away to read the log as its main file holds it",
                       wal_path, main_block->first_seq, main_block->last_seq, how);
  };
  auto stmt = merged->Prepare("SELECT last_seq, hash FROM blocks WHERE first_seq = ?");
  if (!stmt.ok()) return foreign("unreadable");
  stmt->BindInt(1, main_block->first_seq);
  auto row = stmt->Step();
  if (!row.ok()) return foreign("unreadable");
  if (!*row) return foreign("gone");
  if (stmt->ColumnInt(0) != main_block->last_seq || stmt->ColumnBlob(1) != main_block->hash) return foreign("different");
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CheckWal(const std::string& db_path) {
  const std::string wal_path = db_path + "-wal";
  std::ifstream in(wal_path, std::ios::binary | std::ios::ate);
  if (!in) return std::nullopt;
  const auto size = static_cast<uint64_t>(in.tellg());
  if (size == 0) return std::nullopt;  // reset after a checkpoint: nothing in it
  if (size > kMaxWalBytes) return fmt::format("{}: {} bytes: not this log's WAL", wal_path, size);
  in.seekg(0);
  std::vector<uint8_t> wal(size);
  if (!in.read(reinterpret_cast<char*>(wal.data()), static_cast<std::streamsize>(size))) {
    return fmt::format("{}: cannot be read", wal_path);
  }
  if (size < kWalHeaderBytes) return fmt::format("{}: cut short inside its header ({} bytes)", wal_path, size);
  const uint32_t magic = Big32(wal.data());
  if (magic != kMagicLittleEndian && magic != kMagicBigEndian) {
    return fmt::format("{}: not a SQLite WAL (its header is damaged)", wal_path);
  }
  const bool big_endian = magic == kMagicBigEndian;
  const uint32_t page_size = Big32(wal.data() + 8);
  uint32_t s0 = 0, s1 = 0;
  Checksum(wal.data(), 24, big_endian, &s0, &s1);
  if (s0 != Big32(wal.data() + 24) || s1 != Big32(wal.data() + 28)) {
    return fmt::format("{}: its header's checksum does not match: damaged", wal_path);
  }
  const auto db_page_size = DbPageSize(db_path);
  if (db_page_size && *db_page_size != page_size) {
    return fmt::format("{}: pages of {} bytes beside a log of {}-byte pages: the WAL of another file", wal_path,
                       page_size, *db_page_size);
  }
  const uint64_t frame_bytes = kFrameHeaderBytes + static_cast<uint64_t>(page_size);
  const uint64_t frames = (size - kWalHeaderBytes) / frame_bytes;
  const uint64_t partial = (size - kWalHeaderBytes) % frame_bytes;
  const uint8_t* salts = wal.data() + 16;
  // Bounded by the file: one frame per pass.
  for (uint64_t i = 0; i < frames; ++i) {
    const uint8_t* frame = wal.data() + kWalHeaderBytes + i * frame_bytes;
    if (!std::equal(salts, salts + 8, frame + 8)) {
      // Frames of an earlier generation after a WAL restart: SQLite ignores them by design.
      break;
    }
    Checksum(frame, 8, big_endian, &s0, &s1);
    Checksum(frame + kFrameHeaderBytes, page_size, big_endian, &s0, &s1);
    // The last frame may be one a live writer is still writing (or a crash
    // tore): like a partial frame, it is not damage.
    if ((s0 != Big32(frame + 16) || s1 != Big32(frame + 20)) && i + 1 < frames) {
      return fmt::format("{}: frame {} of {} does not check out: damaged (what it and later frames held is not "
                         "read)",
                         wal_path, i + 1, frames);
    }
  }
  // A WAL ending inside a frame is what a crash between SQLite's two writes of
  // a frame leaves (header, then page): the transaction it began was never
  // committed, and everything committed before it is checked above. It cannot
  // be told from a copy cut at the same byte, so it is not called damage.
  (void)partial;
  return CheckWalBelongs(db_path, wal_path);
}

}  // namespace packtwin::eventlog
