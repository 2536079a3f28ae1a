// Builds small event logs for the store, verify and crash suites.
#pragma once

#include <sqlite3.h>

#include <string>

#include "packtwin/eventlog/event_writer.h"

namespace packtwin::testing {

inline v1::Event CanEvent(int64_t wall_ns, uint32_t id, const std::string& data) {
  v1::Event event;
  event.set_wall_time_ns(wall_ns);
  event.set_capture_time_ns(wall_ns);
  event.set_source("can0");
  auto* frame = event.mutable_can_frame();
  frame->set_channel("can0");
  frame->set_id(id);
  frame->set_dlc(static_cast<uint32_t>(data.size()));
  frame->set_data(data);
  return event;
}

// A closed log of `count` CAN frames, 1 ms apart, committed (one block each)
// every `per_block` events.
inline void WriteLog(const std::string& path, int count, int per_block = 10) {
  eventlog::WriterOptions options;
  options.site = "test";
  options.tool_version = "test";
  options.background_commits = false;
  auto writer = eventlog::EventWriter::Create(path, options);
  if (!writer.ok()) throw std::runtime_error(writer.status().message());
  for (int i = 0; i < count; ++i) {
    auto seq = (*writer)->Append(CanEvent(1'000'000'000LL + i * 1'000'000LL, 0x180u + static_cast<uint32_t>(i % 8),
                                          std::string(4, static_cast<char>(i))));
    if (!seq.ok()) throw std::runtime_error(seq.status().message());
    if ((i + 1) % per_block == 0 && !(*writer)->Commit().ok()) throw std::runtime_error("commit failed");
  }
  Status closed = (*writer)->Close();
  if (!closed.ok()) throw std::runtime_error(closed.message());
}

// Runs SQL on a log directly, as someone tampering with it would.
inline std::string Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  char* message = nullptr;
  sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  std::string error = message ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  return error;
}

// The stored size of the body of the block starting at `first_seq` (0 when none).
inline int BlockBodySize(const std::string& path, int64_t first_seq) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT length(body) FROM blocks WHERE first_seq = ?", -1, &stmt, nullptr);
  sqlite3_bind_int64(stmt, 1, first_seq);
  const int size = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return size;
}

}  // namespace packtwin::testing
