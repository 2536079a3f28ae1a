#include "packtwin/eventlog/atomic_path.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace packtwin {
namespace {

void RemoveWithSidecars(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  std::filesystem::remove(path + "-wal", ec);
  std::filesystem::remove(path + "-shm", ec);
  std::filesystem::remove(path + "-journal", ec);
}

}  // namespace

Result<AtomicPath> AtomicPath::Prepare(const std::string& final_path, bool force) {
  std::error_code ec;
  if (std::filesystem::is_directory(final_path, ec)) {
    return Status::Error(fmt::format("{}: is a directory; give a file name", final_path));
  }
  if (!force && std::filesystem::exists(final_path, ec)) {
    return Status::Error(fmt::format("{}: already exists; pass --force to replace it", final_path));
  }
  const auto parent = std::filesystem::path(final_path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    return Status::Error(fmt::format("{}: directory {} does not exist", final_path, parent.string()));
  }
  std::string temp = fmt::format("{}.partial-{}", final_path, getpid());
  RemoveWithSidecars(temp);  // a leftover of an earlier run killed mid-way
  return AtomicPath(final_path, std::move(temp));
}

AtomicPath::AtomicPath(AtomicPath&& other) noexcept
    : final_path_(std::move(other.final_path_)), temp_path_(std::move(other.temp_path_)), done_(other.done_) {
  other.done_ = true;
}

AtomicPath::~AtomicPath() {
  if (!done_) RemoveWithSidecars(temp_path_);
}

Status AtomicPath::Commit() {
  // A stale -wal beside the old file would be replayed into the new one.
  std::error_code ec;
  std::filesystem::remove(final_path_ + "-wal", ec);
  std::filesystem::remove(final_path_ + "-shm", ec);
  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    return Status::Error(fmt::format("{}: cannot rename {} into place", final_path_, temp_path_));
  }
  done_ = true;
  return Status::Ok();
}

}  // namespace packtwin
