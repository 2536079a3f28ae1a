// Writes an output under a temporary name beside it and renames it into place
// only on success, so a failed command leaves nothing behind and an existing
// file is never half-overwritten. Refuses to replace a file unless forced.
#pragma once

#include <string>

#include "packtwin/eventlog/status.h"

namespace packtwin {

class AtomicPath {
 public:
  static Result<AtomicPath> Prepare(const std::string& final_path, bool force);
  AtomicPath(AtomicPath&& other) noexcept;
  AtomicPath& operator=(AtomicPath&&) = delete;
  AtomicPath(const AtomicPath&) = delete;
  ~AtomicPath();  // removes the temporary file (and SQLite's -wal/-shm) unless committed

  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }
  Status Commit();

 private:
  AtomicPath(std::string final_path, std::string temp_path)
      : final_path_(std::move(final_path)), temp_path_(std::move(temp_path)) {}
  std::string final_path_;
  std::string temp_path_;
  bool done_ = false;
};

}  // namespace packtwin
