// The pack reducer, one step per input kind (issue 7: under 100 ns a step),
// and Modbus RTU framing in the firmware (CRC, reply parsing) in bytes/s.
#include <benchmark/benchmark.h>

#include "packtwin/firmware/bms_poller.h"
#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/modbus_rtu.h"
#include "packtwin/firmware/pack_reducer.h"

namespace packtwin::firmware {
namespace {

// A booted, synced pack with every function on, as in the field.
PackState BootedPack() {
  PackState state;
  PackSettings stored;
  stored.valid = true;
  stored.node_id = 0x2A;
  stored.modes = kModeSelfConsumption | kModeEco | kModeGridLimit;
  stored.eco_limit_W = 3000;
  Effects effects;
  PackBoot(&state, 0x24A16000A1B2ull, stored, 0, &effects);
  PackOnCanFrame(&state, EncodeTime({0x01, 1795237200, 60, 1}), 10, &effects);
  return state;
}

std::string GoodReply() {
  uint8_t reply[kBmsReplyLen];
  EncodeBmsReply({0x0210, 0x01F4, 0, 0x00E1}, reply);
  return std::string(reinterpret_cast<char*>(reply), sizeof reply);
}

// Runs `step(pack, now, effects)` per iteration on a booted pack, with one
// Effects buffer cleared per step as the main loop does.
template <typename Step>
void MeasureSteps(benchmark::State& state, uint64_t start_ms, Step step) {
  PackState pack = BootedPack();
  uint64_t now = start_ms;
  Effects effects;
  for (auto _ : state) {
    effects.Clear();
    step(&pack, &now, &effects);
    benchmark::DoNotOptimize(effects.count);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_StepCanTelemetryFromAnotherPack(benchmark::State& state) {
  const CanFrame frame = EncodeTelBatt({0x3C, 5300, -800, 43, 0x0F, 3, 0});
  MeasureSteps(state, 1000, [&](PackState* pack, uint64_t* now, Effects* effects) {
    PackOnCanFrame(pack, frame, ++*now, effects);
  });
}
BENCHMARK(BM_StepCanTelemetryFromAnotherPack);

void BM_StepCanHeartbeat(benchmark::State& state) {
  const CanFrame frame = EncodeHeartbeat({0x3C, 1, 2, 6, 0, 0x22334455});
  MeasureSteps(state, 1000, [&](PackState* pack, uint64_t* now, Effects* effects) {
    PackOnCanFrame(pack, frame, ++*now, effects);
  });
}
BENCHMARK(BM_StepCanHeartbeat);

void BM_StepCanCommand(benchmark::State& state) {
  const CanFrame frame = EncodeCommand({0x7F, 0x11, 7, 2, {0xB8, 0x0B}});  // SET_ECO_LIMIT 3000 W (unchanged)
  MeasureSteps(state, 1000, [&](PackState* pack, uint64_t* now, Effects* effects) {
    PackOnCanFrame(pack, frame, ++*now, effects);
  });
}
BENCHMARK(BM_StepCanCommand);

void BM_StepBmsReply(benchmark::State& state) {
  const std::string reply = GoodReply();
  MeasureSteps(state, 1000, [&](PackState* pack, uint64_t* now, Effects* effects) {
    StartPollCycle(&pack->bms, ++*now);  // a reply counts only while its request is outstanding
    PackOnBmsBytes(pack, reinterpret_cast<const uint8_t*>(reply.data()), reply.size(), ++*now, effects);
  });
}
BENCHMARK(BM_StepBmsReply);

void BM_StepCtSample(benchmark::State& state) {
  const CtSample sample{1363, 8181, 3181, 0};
  MeasureSteps(state, 1000, [&](PackState* pack, uint64_t* now, Effects* effects) {
    PackOnCtSample(pack, sample, ++*now, effects);
  });
}
BENCHMARK(BM_StepCtSample);

// A 2 s control cycle: decide four relays, TEL x3, FLEET, maybe a heartbeat.
void BM_StepControlCycle(benchmark::State& state) {
  MeasureSteps(state, 20'000, [&](PackState* pack, uint64_t* now, Effects* effects) {
    *now = PackNextDeadlineMs(*pack);
    while (PackRunDue(pack, *now, effects)) effects->Clear();
  });
}
BENCHMARK(BM_StepControlCycle);

void BM_ModbusCrc(benchmark::State& state) {
  std::string bytes(256, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  for (auto _ : state) {
    benchmark::DoNotOptimize(Crc16Modbus(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_ModbusCrc);

void BM_ModbusParseReply(benchmark::State& state) {
  const std::string reply = GoodReply();
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseBmsReply(reinterpret_cast<const uint8_t*>(reply.data()), reply.size()));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(reply.size()));
}
BENCHMARK(BM_ModbusParseReply);

}  // namespace
}  // namespace packtwin::firmware

BENCHMARK_MAIN();
