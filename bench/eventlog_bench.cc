// Event-log throughput on a generated site capture (issue 2's benchmarks):
// append (durable batches), read, candump import, bytes per event on disk.
// PACKTWIN_BENCH_FRAMES sets the capture size (default 1,000,000 frames).
#include <benchmark/benchmark.h>

#include "bench_util.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "packtwin/eventlog/candump_format.h"
#include "packtwin/eventlog/event_reader.h"
#include "packtwin/eventlog/event_writer.h"
#include "packtwin/eventlog/importer.h"

namespace packtwin {
namespace {

using bench::Frames;
using bench::ScratchDir;

// Alfaspark-like traffic: three packs' telemetry every 2 s plus heartbeats.
v1::Event SiteFrame(int64_t i) {
  static constexpr uint32_t kIds[] = {0x1AA, 0x22A, 0x2AA, 0x1BC, 0x23C, 0x2BC, 0x1D1, 0x251, 0x2D1, 0x351, 0x72A};
  v1::Event event;
  const int64_t t = 1795237200'000000000 + i * 250'000;
  event.set_wall_time_ns(t);
  event.set_capture_time_ns(t);
  event.set_source("can0");
  auto* frame = event.mutable_can_frame();
  frame->set_channel("can0");
  frame->set_id(kIds[i % 11]);
  frame->set_dlc(8);
  std::string data(8, '\0');
  for (int b = 0; b < 8; ++b) data[static_cast<size_t>(b)] = static_cast<char>((i >> (b % 4)) + b);
  frame->set_data(data);
  return event;
}

const std::string& CandumpLog() {
  static const std::string path = [] {
    std::string file = ScratchDir() + "/site.log";
    std::ofstream out(file);
    for (int64_t i = 0; i < Frames(); ++i) {
      const auto event = SiteFrame(i);
      out << eventlog::FormatCandumpLine(event.wall_time_ns(), eventlog::CandumpStyle{}, event.can_frame());
    }
    return file;
  }();
  return path;
}

void WriteDb(const std::string& path, bool durable) {
  std::filesystem::remove(path);
  eventlog::WriterOptions options;
  options.durable = durable;
  options.background_commits = durable;
  auto writer = eventlog::EventWriter::Create(path, options);
  for (int64_t i = 0; i < Frames(); ++i) benchmark::DoNotOptimize((*writer)->Append(SiteFrame(i)));
  (void)(*writer)->Close();
}

void BM_AppendDurable(benchmark::State& state) {
  const std::string path = ScratchDir() + "/append.db";
  for (auto _ : state) WriteDb(path, true);
  state.SetItemsProcessed(state.iterations() * Frames());
  state.counters["bytes_per_event"] = static_cast<double>(std::filesystem::file_size(path)) / static_cast<double>(Frames());
}
BENCHMARK(BM_AppendDurable)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_Read(benchmark::State& state) {
  const std::string path = ScratchDir() + "/read.db";
  if (!std::filesystem::exists(path)) WriteDb(path, false);
  for (auto _ : state) {
    auto reader = eventlog::EventReader::Open(path);
    auto cursor = (*reader)->FromSeq(0);
    eventlog::StoredEvent row;
    int64_t rows = 0;
    while (*(*cursor)->Next(&row)) ++rows;
    benchmark::DoNotOptimize(rows);
  }
  state.SetItemsProcessed(state.iterations() * Frames());
}
BENCHMARK(BM_Read)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_CandumpImport(benchmark::State& state) {
  const std::string& log = CandumpLog();
  const std::string out = ScratchDir() + "/import.db";
  for (auto _ : state) {
    eventlog::ImportRequest request;
    request.inputs = {log};
    request.output = out;
    request.force = true;
    auto summary = eventlog::ImportLogs(request);
    if (!summary.ok()) state.SkipWithError(summary.status().message().c_str());
  }
  state.SetItemsProcessed(state.iterations() * Frames());
  state.counters["bytes_per_event"] = static_cast<double>(std::filesystem::file_size(out)) / static_cast<double>(Frames());
  state.counters["log_bytes_per_frame"] =
      static_cast<double>(std::filesystem::file_size(log)) / static_cast<double>(Frames());
}
BENCHMARK(BM_CandumpImport)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_CandumpParseLine(benchmark::State& state) {
  const std::string line = "(1795237200.000100) can0 1AA#5014E204230F0100";
  for (auto _ : state) benchmark::DoNotOptimize(eventlog::ParseCandumpLine(line));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CandumpParseLine);

}  // namespace
}  // namespace packtwin

int main(int argc, char** argv) { return packtwin::bench::RunAndCleanUp(argc, argv); }
