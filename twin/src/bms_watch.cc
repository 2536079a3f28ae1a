#include "packtwin/twin/bms_watch.h"

#include <fmt/format.h>

#include "packtwin/firmware/modbus_rtu.h"
#include "packtwin/firmware/protocol_v1.h"

namespace packtwin::twin {
namespace {

constexpr int64_t kAllowanceNs = 2'500'000'000;  // a cycle plus jitter to use a reply
constexpr int64_t kThreeCyclesNs = 6'000'000'000;
constexpr int kIgnoredCyclesToFlag = 3;

bool IsBmsPoll(const std::string& request) {
  return request.size() == 8 && static_cast<uint8_t>(request[0]) == firmware::kBmsSlaveAddress &&
         static_cast<uint8_t>(request[1]) == firmware::kReadHoldingRegisters && request[2] == 0 && request[3] == 0 &&
         request[4] == 0 && request[5] == 4;
}

std::string Volts(uint16_t centivolts) { return fmt::format("{}.{:02} V", centivolts / 100, centivolts % 100); }

}  // namespace

void BmsWatch::OnModbus(const v1::Event& event) {
  const auto& m = event.modbus();
  if (m.transport() != v1::TRANSPORT_RTU || !IsBmsPoll(m.request())) return;
  Tap& tap = taps_[event.source()];
  if (m.status() == v1::MODBUS_OK) {
    const auto reply = firmware::ParseBmsReply(reinterpret_cast<const uint8_t*>(m.reply().data()), m.reply().size());
    if (reply.status != firmware::BmsReplyStatus::kOk) return;
    tap.has_good = true;
    tap.voltage_dV = reply.registers.voltage_dV;
    tap.good_ns = event.wall_time_ns();
    tap.good_seq = event.seq();
    tap.failures = 0;
    return;
  }
  if (tap.failures == 0) {
    tap.first_failure_ns = event.wall_time_ns();
    tap.failure_seq = event.seq();
  }
  ++tap.failures;
}

BmsWatch::Tap* BmsWatch::TapOf(uint8_t node) {
  for (auto& [source, tap] : taps_) {
    if (tap.node == node) return &tap;
  }
  return nullptr;
}

void BmsWatch::OnTelBatt(const firmware::TelBattFrame& f, uint64_t seq, int64_t wall_ns) {
  // Association: the tap whose latest good reply this pack reports.
  for (auto& [source, tap] : taps_) {
    if (!tap.node && tap.has_good && static_cast<uint32_t>(tap.voltage_dV) * 10 == f.pack_cV) tap.node = f.node;
  }
  const bool new_pack = packs_.count(f.node) == 0;
  for (auto& [source, tap] : taps_) {
    if (tap.by_elimination && new_pack && tap.node != f.node) {
      tap.node.reset();
      tap.by_elimination = false;
    }
  }
  if (taps_.size() == 1 && !taps_.begin()->second.node && (packs_.empty() || (packs_.size() == 1 && !new_pack))) {
    taps_.begin()->second.node = f.node;
    taps_.begin()->second.by_elimination = true;
  }
  PackWatch& watch = packs_[f.node];
  Tap* tap = TapOf(f.node);
  if (tap == nullptr) return;
  const bool comm_lost = (f.status & firmware::kStatusBmsCommLost) != 0;
  // Good replies, older than a cycle, that the pack does not report.
  const bool reply_usable = tap->has_good && wall_ns - tap->good_ns >= kAllowanceNs / 2 && tap->failures == 0;
  if (reply_usable && static_cast<uint32_t>(tap->voltage_dV) * 10 != f.pack_cV) {
    if (++watch.ignored_cycles >= kIgnoredCyclesToFlag && !watch.ignored_flagged) {
      watch.ignored_flagged = true;
      on_finding_({f.node, "bms-reply-not-used",
                   fmt::format("pack voltage {} from the BMS's good reply", Volts(static_cast<uint16_t>(tap->voltage_dV * 10))),
                   fmt::format("pack reports {} for {} cycles (good replies thrown away: CRC checked high byte first?)",
                               Volts(f.pack_cV), watch.ignored_cycles),
                   wall_ns, {tap->good_seq, seq}});
    }
  } else {
    watch.ignored_cycles = 0;
  }
  // BMS_COMM_LOST after three failed cycles, and not while the BMS answers.
  const bool bms_silent = tap->failures >= 4 && wall_ns - tap->first_failure_ns > kThreeCyclesNs + kAllowanceNs;
  if (bms_silent && !comm_lost && !watch.lost_flagged) {
    watch.lost_flagged = true;
    on_finding_({f.node, "bms-comm-lost-not-raised", "BMS_COMM_LOST after 3 failed poll cycles",
                 fmt::format("no BMS_COMM_LOST though the BMS has not answered for {} ms",
                             (wall_ns - tap->first_failure_ns) / 1'000'000),
                 wall_ns, {tap->failure_seq, seq}});
  }
  const bool bms_answers = tap->has_good && tap->failures == 0 && wall_ns - tap->good_ns < kAllowanceNs &&
                           wall_ns - tap->good_ns > 0;
  if (bms_answers && comm_lost && static_cast<uint32_t>(tap->voltage_dV) * 10 != f.pack_cV && !watch.false_lost_flagged) {
    watch.false_lost_flagged = true;
    on_finding_({f.node, "bms-comm-lost-while-bms-answers", "BMS_COMM_LOST cleared by the next good reply",
                 "BMS_COMM_LOST while the tap sees good replies", wall_ns, {tap->good_seq, seq}});
  }
}

}  // namespace packtwin::twin
