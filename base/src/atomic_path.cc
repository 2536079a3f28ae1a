#include "packtwin/base/atomic_path.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "packtwin/base/file_use.h"
#include "packtwin/base/interrupt.h"

namespace packtwin {
namespace {

void RemoveWithSidecars(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  std::filesystem::remove(path + "-wal", ec);
  std::filesystem::remove(path + "-shm", ec);
  std::filesystem::remove(path + "-journal", ec);
}

// A symlink names its target: that is what gets written, the link stays.
Result<std::string> FollowLinks(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_symlink(path, ec)) return path;
  const auto target = std::filesystem::canonical(path, ec);
  if (ec) {
    return Status::InvalidArgument(fmt::format("{}: a symlink to nothing that exists; give its target or another name", path));
  }
  return target.string();
}

}  // namespace

Status CheckOutputPath(const std::string& path, const OutputRules& rules) {
  for (const auto& input : rules.inputs) {
    if (SameFile(path, input)) {
      return Status::InvalidArgument(fmt::format("{}: is the input {}; writing there would replace what is being read "
                                       "(even with --force); choose another output",
                                       path, input));
    }
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
      return Status::NotFound(fmt::format("{}: directory {} does not exist", path, parent.string()));
    }
    return Status::Ok();
  }
  if (S_ISDIR(st.st_mode)) return Status::InvalidArgument(fmt::format("{}: is a directory; give a file name", path));
  if (!S_ISREG(st.st_mode)) {
    if (rules.stream) return Status::Ok();  // a device or FIFO is written into, never replaced
    return Status::InvalidArgument(fmt::format("{}: is a device or FIFO, not a file; an event log must be a regular file", path));
  }
  if (!rules.force) return Status::InvalidArgument(fmt::format("{}: already exists; pass --force to replace it", path));
  if (InUseByAnotherProcess(path)) {
    return Status::InvalidArgument(fmt::format("{}: another packtwin process has it open (recording into it or reading it); "
                                     "it is not replaced, even with --force: stop that process or choose another name",
                                     path));
  }
  return Status::Ok();
}

Result<AtomicPath> AtomicPath::Prepare(const std::string& given_path, const OutputRules& rules) {
  auto final_path = FollowLinks(given_path);
  if (!final_path.ok()) return final_path.status();
  PACKTWIN_RETURN_IF_ERROR(CheckOutputPath(*final_path, rules));
  struct stat st {};
  if (::stat(final_path->c_str(), &st) == 0 && !S_ISREG(st.st_mode)) return AtomicPath(*final_path, *final_path, true);
  std::string temp = fmt::format("{}.partial-{}", *final_path, getpid());
  RemoveWithSidecars(temp);  // a leftover of an earlier run killed mid-way
  RegisterPartialOutput(temp, *final_path);
  return AtomicPath(*final_path, std::move(temp), false);
}

AtomicPath::AtomicPath(AtomicPath&& other) noexcept
    : final_path_(std::move(other.final_path_)),
      temp_path_(std::move(other.temp_path_)),
      direct_(other.direct_),
      done_(other.done_) {
  other.done_ = true;
}

AtomicPath::~AtomicPath() {
  if (done_ || direct_) return;
  RemoveWithSidecars(temp_path_);
  UnregisterPartialOutput(temp_path_);
}

Status AtomicPath::Commit() {
  if (direct_) {
    done_ = true;
    return Status::Ok();
  }
  // A stale -wal beside the old file would be replayed into the new one.
  std::error_code ec;
  std::filesystem::remove(final_path_ + "-wal", ec);
  std::filesystem::remove(final_path_ + "-shm", ec);
  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    return Status::IoError(fmt::format("{}: cannot rename {} into place", final_path_, temp_path_));
  }
  UnregisterPartialOutput(temp_path_);
  done_ = true;
  return Status::Ok();
}

}  // namespace packtwin
