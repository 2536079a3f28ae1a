// `packtwin record` fed 40 000 frames/s through an slcan pty (issue 4's
// target) for PACKTWIN_BENCH_SECONDS (default 60): frames lost (must be 0),
// events/s, CPU per frame and the recorder's peak memory.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

extern char** environ;

namespace {

constexpr int kFramesPerSecond = 40'000;

int Seconds() {
  const char* text = std::getenv("PACKTWIN_BENCH_SECONDS");
  return text ? std::max(1, std::atoi(text)) : 60;
}

// Answers the recorder's setup commands with CR until 'O'.
void ServeSetup(int master) {
  std::string seen;
  for (int waited = 0; waited < 5000 && seen.find("O\r") == std::string::npos; waited += 10) {
    pollfd pfd{master, POLLIN, 0};
    ::poll(&pfd, 1, 10);
    char buffer[64];
    const ssize_t got = (pfd.revents & POLLIN) ? ::read(master, buffer, sizeof buffer) : -1;
    if (got <= 0) continue;
    for (ssize_t i = 0; i < got; ++i) {
      seen.push_back(buffer[i]);
      if (buffer[i] == '\r') (void)!::write(master, "\r", 1);
    }
  }
}

void WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (wrote > 0) {
      done += static_cast<size_t>(wrote);
    } else {
      pollfd pfd{fd, POLLOUT, 0};
      ::poll(&pfd, 1, 5);
    }
  }
}

void BM_RecordSlcan40kFramesPerSecond(benchmark::State& state) {
  const std::string dir = std::filesystem::temp_directory_path() / ("packtwin-rec-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = dir + "/bench.db";
  const int seconds = Seconds();
  const int64_t frames = static_cast<int64_t>(kFramesPerSecond) * seconds;
  for (auto _ : state) {
    std::filesystem::remove(db);
    const int master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    grantpt(master);
    unlockpt(master);
    const std::string slave = ptsname(master);
    const int hold = ::open(slave.c_str(), O_RDWR | O_NOCTTY);
    termios tio{};
    tcgetattr(hold, &tio);
    cfmakeraw(&tio);
    tcsetattr(hold, TCSANOW, &tio);
    const std::string binary = PACKTWIN_BENCH_BINARY;
    const std::string source = "slcan:" + slave;
    const char* argv[] = {binary.c_str(), "record", "-o", db.c_str(), "--quiet", "--can", source.c_str(), nullptr};
    pid_t pid = 0;
    posix_spawn(&pid, argv[0], nullptr, nullptr, const_cast<char**>(argv), environ);
    ServeSetup(master);
    // 40 frames every millisecond, paced on the monotonic clock.
    const auto start = std::chrono::steady_clock::now();
    std::string batch;
    for (int64_t n = 0; n < frames; n += 40) {
      batch.clear();
      for (int i = 0; i < 40; ++i) batch += fmt::format("t{:03X}8{:016X}\r", 0x180 + ((n + i) % 64), n + i);
      WriteAll(master, batch);
      std::this_thread::sleep_until(start + std::chrono::microseconds((n + 40) * 1'000'000 / kFramesPerSecond));
    }
    usleep(500'000);
    kill(pid, SIGINT);
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    ::close(hold);
    ::close(master);
    const std::string count_cmd = fmt::format("{} export {} --format candump | wc -l", PACKTWIN_BENCH_BINARY, db);
    FILE* pipe = popen(count_cmd.c_str(), "r");
    long long recorded = 0;
    if (pipe == nullptr || std::fscanf(pipe, "%lld", &recorded) != 1) recorded = -1;
    if (pipe != nullptr) pclose(pipe);
    const double cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    state.counters["frames_sent"] = static_cast<double>(frames);
    state.counters["frames_lost"] = static_cast<double>(frames - recorded);
    state.counters["events_per_s"] = static_cast<double>(recorded) / seconds;
    state.counters["cpu_us_per_frame"] = cpu_s * 1e6 / static_cast<double>(frames);
    state.counters["peak_rss_MiB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
    if (recorded != frames) state.SkipWithError("frames were lost");
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_RecordSlcan40kFramesPerSecond)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
