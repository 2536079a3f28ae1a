// The recorder's byte parsers: slcan (CAN-USB adapters) and Modbus RTU
// framing on an RS-485 tap, in bytes/s; ASC import in lines/s.
// PACKTWIN_BENCH_FRAMES sets the ASC file size (default 1,000,000 frames).
#include <benchmark/benchmark.h>

#include "bench_util.h"
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "packtwin/eventlog/asc_format.h"
#include "packtwin/eventlog/importer.h"
#include "packtwin/firmware/modbus_rtu.h"
#include "packtwin/recorder/rtu_splitter.h"
#include "packtwin/bus/slcan_codec.h"

namespace packtwin {
namespace {

using bench::Frames;
using bench::ScratchDir;

void BM_SlcanParse(benchmark::State& state) {
  std::string stream;
  for (int i = 0; i < 1000; ++i) stream += "t1AA85014E204230F0100\rt72A8010206004D3C2B1A\r";
  for (auto _ : state) {
    bus::SlcanParser parser;
    size_t items = 0;
    parser.Feed(reinterpret_cast<const uint8_t*>(stream.data()), stream.size(), [&](const auto&) { ++items; });
    benchmark::DoNotOptimize(items);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(stream.size()));
}
BENCHMARK(BM_SlcanParse);

void BM_ModbusRtuFraming(benchmark::State& state) {
  // Request and reply pairs as a tap sees them, delivered in 64-byte USB chunks.
  std::string line;
  for (int i = 0; i < 500; ++i) {
    line += std::string("\x01\x03\x00\x00\x00\x04\x44\x09", 8);
    uint8_t reply[firmware::kBmsReplyLen];
    firmware::EncodeBmsReply({static_cast<uint16_t>(0x0200 | (i & 0xFF)), 0x01F4, 0, 0x00E1}, reply);
    line.append(reinterpret_cast<char*>(reply), sizeof reply);
  }
  for (auto _ : state) {
    recorder::RtuSplitter splitter(9600);
    size_t frames = 0;
    int64_t now = 0;
    for (size_t at = 0; at < line.size(); at += 64) {
      const size_t n = std::min<size_t>(64, line.size() - at);
      frames += splitter.Feed(reinterpret_cast<const uint8_t*>(line.data() + at), n, now += 60'000'000).size();
    }
    benchmark::DoNotOptimize(frames);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(line.size()));
}
BENCHMARK(BM_ModbusRtuFraming);

void BM_AscImport(benchmark::State& state) {
  const std::string asc = ScratchDir() + "/site.asc";
  {
    std::ofstream out(asc);
    const int64_t start = 1795237200'000000000;
    out << eventlog::FormatAscHeader(start);
    v1::CanFrame frame;
    frame.set_dlc(8);
    for (int64_t i = 0; i < Frames(); ++i) {
      frame.set_id(0x180 + static_cast<uint32_t>(i % 11));
      frame.set_data(std::string("\x50\x14\xE2\x04\x23\x0F\x01\x00", 8));
      out << eventlog::FormatAscFrame(i * 250'000, 1, frame);
    }
    out << eventlog::FormatAscFooter();
  }
  for (auto _ : state) {
    eventlog::ImportRequest request;
    request.inputs = {asc};
    request.output = ScratchDir() + "/asc.db";
    request.force = true;
    auto summary = eventlog::ImportLogs(request);
    if (!summary.ok()) state.SkipWithError(summary.status().message().c_str());
  }
  state.SetItemsProcessed(state.iterations() * Frames());
}
BENCHMARK(BM_AscImport)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace packtwin

int main(int argc, char** argv) { return packtwin::bench::RunAndCleanUp(argc, argv); }
