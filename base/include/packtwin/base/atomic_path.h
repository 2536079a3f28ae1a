// Writes an output under a temporary name beside it and renames it into place
// only on success, so a failed or interrupted command leaves nothing behind
// and an existing file is never half-overwritten.
//
// What an output may replace (OutputRules): never one of the command's own
// inputs (same device and inode), even with --force; a regular file only with
// --force and only when no other packtwin process has it open; a symlink is
// followed (its target is replaced, the link stays); a device or FIFO is
// written into when the output is a stream of text, and refused for a log.
#pragma once

#include <string>
#include <vector>

#include "packtwin/base/status.h"

namespace packtwin {

struct OutputRules {
  bool force = false;
  std::vector<std::string> inputs;  // files the command reads: never replaced
  bool stream = false;              // text output: a device or FIFO is written into
};

// Whether `path` may be created or replaced under `rules`; an error says why not
// and what to do. Used by every command that writes a file.
Status CheckOutputPath(const std::string& path, const OutputRules& rules);

class AtomicPath {
 public:
  static Result<AtomicPath> Prepare(const std::string& final_path, const OutputRules& rules);
  static Result<AtomicPath> Prepare(const std::string& final_path, bool force) {
    return Prepare(final_path, OutputRules{force, {}, false});
  }
  AtomicPath(AtomicPath&& other) noexcept;
  AtomicPath& operator=(AtomicPath&&) = delete;
  AtomicPath(const AtomicPath&) = delete;
  ~AtomicPath();  // removes the temporary file (and SQLite's -wal/-shm) unless committed

  // Where to write: a temporary name, or the device/FIFO itself.
  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }
  Status Commit();

 private:
  AtomicPath(std::string final_path, std::string temp_path, bool direct)
      : final_path_(std::move(final_path)), temp_path_(std::move(temp_path)), direct_(direct) {}
  std::string final_path_;
  std::string temp_path_;
  bool direct_ = false;  // a device or FIFO: written in place, nothing to rename or remove
  bool done_ = false;
};

// Paths of outputs being written now, for an interrupt to remove (see interrupt.h).
void RegisterPartialOutput(const std::string& temp_path, const std::string& final_path);
void UnregisterPartialOutput(const std::string& temp_path);

}  // namespace packtwin
