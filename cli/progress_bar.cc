#include "progress_bar.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace packtwin::cli {
namespace {
constexpr auto kQuietStart = std::chrono::seconds(1);
constexpr auto kRedrawEvery = std::chrono::milliseconds(100);
constexpr int kBarCells = 30;
}  // namespace

ProgressBar::ProgressBar(std::string label, uint64_t total, std::string unit)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      enabled_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(uint64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < kQuietStart || now - last_draw_ < kRedrawEvery) return;
  last_draw_ = now;
  drawn_ = true;
  if (total_ == 0) {
    std::fprintf(stderr, "\r%s %s %s", label_.c_str(), fmt::format("{}", done).c_str(), unit_.c_str());
    return;
  }
  const uint64_t shown = done > total_ ? total_ : done;
  const int filled = static_cast<int>(shown * kBarCells / total_);
  const std::string bar = std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(kBarCells - filled), '.');
  std::fprintf(stderr, "\r%s [%s] %3d%% %s", label_.c_str(), bar.c_str(), static_cast<int>(shown * 100 / total_),
               unit_.c_str());
}

void ProgressBar::Finish() {
  if (drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
}

}  // namespace packtwin::cli
