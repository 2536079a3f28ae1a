// A progress line on stderr for long work: only when stderr is a terminal,
// only after the work has run for a second, redrawn at most 10 times a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace packtwin::cli {

class ProgressBar {
 public:
  // total 0: unknown, shows a count instead of a bar.
  ProgressBar(std::string label, uint64_t total, std::string unit);
  ~ProgressBar();
  void SetTotal(uint64_t total) { total_ = total; }
  // What follows the count: "events shipped, 3 blocks pending".
  void SetUnit(std::string unit) { unit_ = std::move(unit); }
  void Update(uint64_t done);
  void Finish();

 private:
  std::string label_;
  uint64_t total_;
  std::string unit_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace packtwin::cli
