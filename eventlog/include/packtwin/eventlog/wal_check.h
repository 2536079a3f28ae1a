// A log's -wal file is part of the log: committed blocks may live only there
// until a checkpoint. SQLite reads a WAL up to its first frame that does not
// check out and silently ignores the rest, so a damaged WAL would read as an
// intact shorter capture. A WAL that ends inside a frame is what a crash
// leaves and is not damage (the frames before it are checked). This reads the WAL's own framing
// (header, salts, cumulative checksums; sqlite.org/fileformat2.html, "WAL
// file format") and says what is wrong with it, so verify can report it.
// A WAL whose frames check out but that belongs to another log (its pages
// would replace this log's) is found by reading the main file alone: the
// last block it holds must read the same through the WAL.
#pragma once

#include <optional>
#include <string>

namespace packtwin::eventlog {

// Empty when there is no WAL beside `db_path` or it is whole; else what is wrong.
std::optional<std::string> CheckWal(const std::string& db_path);

}  // namespace packtwin::eventlog
