#include "packtwin/twin/snapshot_store.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <type_traits>

namespace packtwin::twin {
namespace {

static_assert(std::is_trivially_copyable_v<firmware::FleetState>, "FleetState is copied as bytes");
static_assert(std::is_trivially_copyable_v<PackView>, "PackView is copied as bytes");

constexpr char kMagic[4] = {'P', 'T', 'W', 'S'};

// A digest column written by Put; 0 when damaged (the snapshot is then useless anyway).
uint64_t ParseDigest(const std::string& text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

template <typename T>
void Put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
bool Get(const std::string& in, size_t* pos, T* value) {
  if (*pos + sizeof(T) > in.size()) return false;
  std::memcpy(value, in.data() + *pos, sizeof(T));
  *pos += sizeof(T);
  return true;
}

}  // namespace

std::string ReducerVersion() {
  // The layouts are part of it: a snapshot is only read back by the same build of these structs.
  return fmt::format("{}-{}-{}", PACKTWIN_REDUCER_HASH, sizeof(firmware::FleetState), sizeof(PackView));
}

// The state as bytes of this build (the reducer version guards the layout).
std::string EncodeTwinState(const TwinState& state) {
  std::string out(kMagic, sizeof kMagic);
  Put(out, state.fleet);
  Put(out, state.events);
  Put(out, state.last_seq);
  Put(out, state.first_wall_ns);
  Put(out, state.last_wall_ns);
  Put(out, state.bad_length_frames);
  Put(out, static_cast<uint32_t>(state.packs.size()));
  for (const auto& [node, view] : state.packs) {
    Put(out, node);
    Put(out, view);
  }
  return out;
}

std::optional<TwinState> DecodeTwinState(const std::string& bytes) {
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) return std::nullopt;
  size_t pos = sizeof kMagic;
  TwinState state;
  uint32_t packs = 0;
  if (!Get(bytes, &pos, &state.fleet) || !Get(bytes, &pos, &state.events) || !Get(bytes, &pos, &state.last_seq) ||
      !Get(bytes, &pos, &state.first_wall_ns) || !Get(bytes, &pos, &state.last_wall_ns) ||
      !Get(bytes, &pos, &state.bad_length_frames) || !Get(bytes, &pos, &packs) || packs > firmware::kNodeSlots) {
    return std::nullopt;
  }
  for (uint32_t i = 0; i < packs; ++i) {
    uint8_t node = 0;
    PackView view;
    if (!Get(bytes, &pos, &node) || !Get(bytes, &pos, &view)) return std::nullopt;
    state.packs.emplace(node, view);
  }
  if (pos != bytes.size()) return std::nullopt;
  return state;
}

Result<std::unique_ptr<SnapshotStore>> SnapshotStore::Open(const std::string& db_path) {
  auto db = eventlog::sqlite::Db::Open(db_path + ".twin", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db.ok()) return db.status();
  PACKTWIN_RETURN_IF_ERROR(db->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
      "CREATE TABLE IF NOT EXISTS snapshots (reducer TEXT NOT NULL, seq INTEGER NOT NULL, event_hash BLOB NOT NULL, "
      "digest TEXT NOT NULL, state BLOB NOT NULL, PRIMARY KEY (reducer, seq)) WITHOUT ROWID;"));
  return std::unique_ptr<SnapshotStore>(new SnapshotStore(std::move(*db)));
}

Result<std::optional<Snapshot>> SnapshotStore::LatestAtOrBefore(uint64_t seq) {
  auto stmt = db_.Prepare(
      "SELECT seq, event_hash, digest, state FROM snapshots WHERE reducer = ? AND seq <= ? ORDER BY seq DESC LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, ReducerVersion());
  stmt->BindInt(2, static_cast<int64_t>(seq));
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Snapshot>();
  Snapshot snapshot;
  snapshot.seq = static_cast<uint64_t>(stmt->ColumnInt(0));
  snapshot.event_hash = stmt->ColumnBlob(1);
  snapshot.digest = ParseDigest(stmt->ColumnText(2));
  snapshot.state = stmt->ColumnBlob(3);
  return std::optional<Snapshot>(std::move(snapshot));
}

Status SnapshotStore::Put(const Snapshot& snapshot) {
  auto stmt = db_.Prepare("INSERT OR REPLACE INTO snapshots(reducer, seq, event_hash, digest, state) VALUES (?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, ReducerVersion());
  stmt->BindInt(2, static_cast<int64_t>(snapshot.seq));
  stmt->BindBlob(3, snapshot.event_hash.data(), snapshot.event_hash.size());
  stmt->BindText(4, fmt::format("{:016x}", snapshot.digest));
  stmt->BindBlob(5, snapshot.state.data(), snapshot.state.size());
  auto done = stmt->Step();
  return done.ok() ? Status::Ok() : done.status();
}

Status SnapshotStore::Forget(uint64_t seq) {
  auto stmt = db_.Prepare("DELETE FROM snapshots WHERE reducer = ? AND seq = ?");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, ReducerVersion());
  stmt->BindInt(2, static_cast<int64_t>(seq));
  auto done = stmt->Step();
  return done.ok() ? Status::Ok() : done.status();
}

Result<std::vector<Snapshot>> SnapshotStore::All() {
  auto stmt = db_.Prepare("SELECT seq, event_hash, digest FROM snapshots WHERE reducer = ? ORDER BY seq");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, ReducerVersion());
  std::vector<Snapshot> out;
  while (true) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Snapshot s;
    s.seq = static_cast<uint64_t>(stmt->ColumnInt(0));
    s.event_hash = stmt->ColumnBlob(1);
    s.digest = ParseDigest(stmt->ColumnText(2));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace packtwin::twin
