// Who else has a log open. Every packtwin process that opens a log (reader or
// writer) holds a shared advisory lock (flock) on it for as long as it does,
// so a command about to replace a file can tell that another packtwin is
// recording into it or reading it, and refuse instead of losing that capture.
#pragma once

#include <string>

namespace packtwin {

class SharedUseMark {
 public:
  SharedUseMark() = default;
  // Best effort: a file that cannot be opened or locked is simply not marked.
  explicit SharedUseMark(const std::string& path);
  SharedUseMark(SharedUseMark&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  SharedUseMark& operator=(SharedUseMark&& other) noexcept;
  SharedUseMark(const SharedUseMark&) = delete;
  SharedUseMark& operator=(const SharedUseMark&) = delete;
  ~SharedUseMark();

 private:
  int fd_ = -1;
};

// True when another process holds a mark on `path` (this one's own marks count too).
bool InUseByAnotherProcess(const std::string& path);

// True when `a` and `b` name the same file (device and inode, symlinks followed).
bool SameFile(const std::string& a, const std::string& b);

}  // namespace packtwin
