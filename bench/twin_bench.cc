// The twin on a generated site log (issue 5): rebuild events/s, and the
// latency of `state --at` with snapshots built and without them.
// PACKTWIN_BENCH_EVENTS sets the log size (default 10,000,000).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "packtwin/eventlog/event_writer.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/bus/firmware_frame.h"
#include "packtwin/twin/rebuild.h"
#include "packtwin/twin/snapshot_store.h"

namespace packtwin::twin {
namespace {

int64_t Events() {
  const char* text = std::getenv("PACKTWIN_BENCH_EVENTS");
  return text ? std::max(100L, std::atol(text)) : 10'000'000;
}

v1::Event Frame(int64_t wall_ns, const firmware::CanFrame& f) { return bus::EventFromFirmwareFrame(f, wall_ns); }

// Three packs' telemetry and heartbeats, 2 s cycles.
const std::string& SiteLog() {
  static const std::string path = [] {
    const auto dir = std::filesystem::temp_directory_path() / ("packtwin-twin-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const std::string db = (dir / "site.db").string();
    eventlog::WriterOptions options;
    options.durable = false;
    options.background_commits = false;
    auto writer = eventlog::EventWriter::Create(db, options);
    const int64_t total = Events();
    for (int64_t n = 0, c = 0; n < total; ++c) {
      const int64_t t = 1795237200'000000000 + c * 2'000'000'000;
      for (uint8_t node : {0x2A, 0x3C, 0x51}) {
        const auto soc = static_cast<uint8_t>((c / 7 + node) % 100);
        (void)(*writer)->Append(Frame(t, firmware::EncodeTelBatt({node, static_cast<uint16_t>(4640 + soc * 16), 0, soc, 0x0F, 3, 0})));
        (void)(*writer)->Append(Frame(t + 1000, firmware::EncodeTelPower({node, 300, 1800, 50, 1550})));
        (void)(*writer)->Append(Frame(t + 2000, firmware::EncodeTelLoads({node, 400, 0, 25, 10, 30})));
        n += 3;
        if (c % 5 == 0) {
          (void)(*writer)->Append(Frame(t + 3000, firmware::EncodeHeartbeat({node, 1, 2, 6, node == 0x51, node})));
          ++n;
        }
      }
    }
    (void)(*writer)->Close();
    return db;
  }();
  return path;
}

void BM_Rebuild(benchmark::State& state) {
  auto reader = eventlog::EventReader::Open(SiteLog());
  auto counts = (*reader)->Counts();
  for (auto _ : state) benchmark::DoNotOptimize(Rebuild(**reader, {}));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(counts->events));
}
BENCHMARK(BM_Rebuild)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_BuildSnapshots(benchmark::State& state) {
  auto reader = eventlog::EventReader::Open(SiteLog());
  for (auto _ : state) {
    std::filesystem::remove(SiteLog() + ".twin");
    auto store = SnapshotStore::Open(SiteLog());
    benchmark::DoNotOptimize(RebuildFromSnapshots(**reader, **store, {}));
  }
}
BENCHMARK(BM_BuildSnapshots)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_StateAtWithSnapshots(benchmark::State& state) {
  auto reader = eventlog::EventReader::Open(SiteLog());
  auto store = SnapshotStore::Open(SiteLog());
  auto counts = (*reader)->Counts();
  std::mt19937 random(7);
  for (auto _ : state) {
    RebuildLimit limit;
    limit.last_wall_ns = std::uniform_int_distribution<int64_t>(counts->first_wall_ns, counts->last_wall_ns)(random);
    benchmark::DoNotOptimize(RebuildFromSnapshots(**reader, **store, limit));
  }
}
BENCHMARK(BM_StateAtWithSnapshots)->Unit(benchmark::kMillisecond)->Iterations(20);

}  // namespace
}  // namespace packtwin::twin

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove_all(std::filesystem::path(packtwin::twin::SiteLog()).parent_path());
  return 0;
}
