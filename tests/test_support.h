// Helpers shared by the test suites: scratch directories, files, and running
// real programs (packtwin, python-can, can-utils) with their output captured.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace packtwin::testing {

// A fresh directory under /tmp, removed with everything in it at scope end.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv (no shell) with stdout and stderr captured.
CommandResult Run(const std::vector<std::string>& argv);

// Runs the packtwin executable under test.
CommandResult Packtwin(const std::vector<std::string>& args);

// A program left running in the background, its output going to files.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv);
  ~Child();  // kills it if still running
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  pid_t pid() const { return pid_; }
  void Signal(int signal_number);
  // Waits for it to exit (at most timeout_ms; then kills it and says so in err).
  CommandResult Wait(int timeout_ms = 20'000);
  // What it has written to stdout so far, while it runs.
  std::string OutputSoFar() const;

 private:
  TempDir scratch_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

void WriteFile(const std::string& path, const std::string& text);
std::string ReadFile(const std::string& path);
bool FileExists(const std::string& path);
// Waits (polling every 20 ms, at most timeout_ms) for a peer to create `path`.
bool WaitForFile(const std::string& path, int timeout_ms = 10'000);

// The events of a log as `packtwin export --format jsonl` shows them, one
// parsed object each; only those of `kind` when given.
std::vector<nlohmann::json> ExportedEvents(const std::string& db, const std::string& kind = "");

// Lines of `text` split at `separator` (a trailing separator gives an empty last cell).
std::vector<std::vector<std::string>> SplitTable(const std::string& text, char separator);

// A TCP port on 127.0.0.1 that was free a moment ago (for servers the tests start).
uint16_t FreeTcpPort();

// Paths baked in by CMake.
std::string PacktwinBinary();
std::string SourceDir();
// Debian's python3 with python3-can and python3-pymodbus.
std::string SystemPython();

}  // namespace packtwin::testing
