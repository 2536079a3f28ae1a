// What the benchmark suites share: input sizes from the environment, one
// scratch directory per run, and a main that removes it afterwards.
#pragma once

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace packtwin::bench {

// PACKTWIN_BENCH_FRAMES, default 1,000,000.
inline int64_t Frames() {
  const char* text = std::getenv("PACKTWIN_BENCH_FRAMES");
  return text ? std::max(1L, std::atol(text)) : 1'000'000;
}

inline const std::string& ScratchDir() {
  static const std::string dir = [] {
    auto path = std::filesystem::temp_directory_path() / ("packtwin-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(path);
    return path.string();
  }();
  return dir;
}

inline int RunAndCleanUp(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove_all(ScratchDir());
  return 0;
}

}  // namespace packtwin::bench
