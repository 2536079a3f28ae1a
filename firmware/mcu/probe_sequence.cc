#include "probe_sequence.h"

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/fleet_reducer.h"
#include "packtwin/firmware/le_bytes.h"
#include "packtwin/firmware/pack_reducer.h"
#include "packtwin/firmware/state_digest.h"

namespace packtwin::firmware {
namespace {

constexpr uint64_t kSerial = 0x24A16057F3C1ull;
constexpr uint64_t kStepMs = 10;
constexpr uint64_t kEndMs = 600'000;

// Statics, not stack: on the MCU these live in .bss, counted in the RAM budget.
PackState g_pack;
Effects g_effects;
FleetState g_fleet;

// A good 13-byte BMS reply for the given registers.
void BmsReplyBytes(uint16_t voltage_dV, int16_t current_cA, uint16_t alarms, uint8_t out[kBmsReplyLen]) {
  EncodeBmsReply({voltage_dV, current_cA, alarms, 215}, out);
}

CanFrame Command(uint8_t cmd, uint8_t seq, uint8_t a0, uint8_t a1, uint8_t args_len) {
  CommandFrame c;
  c.node = kBroadcastNodeId;
  c.cmd = cmd;
  c.seq = seq;
  c.args[0] = a0;
  c.args[1] = a1;
  c.args_len = args_len;
  return EncodeCommand(c);
}

// Frames from the rest of the site at scripted times.
void SiteFrames(uint64_t t, uint32_t* effects, FleetFindings* findings) {
  CanFrame frames[3];
  uint8_t count = 0;
  if (t == 1000) {
    TimeFrame time{0x01, 1795234500, 60, 1};  // 04:15 local
    frames[count++] = EncodeTime(time);
  }
  if (t % 10'000 == 3000) {
    HeartbeatFrame hb{0x12, 1, 2, 6, 0, 0x11223344};
    frames[count++] = EncodeHeartbeat(hb);
    TelBattFrame batt{0x12, 5300, -500, 43, 0x0F, 0x01, 0};
    frames[count++] = EncodeTelBatt(batt);
  }
  if (t == 20'000) frames[count++] = Command(0x10, 1, 2, 1, 2);    // Eco on
  if (t == 25'000) frames[count++] = Command(0x11, 2, 0xE8, 0x03, 2);  // Eco limit 1000 W
  if (t == 90'000) frames[count++] = Command(0x14, 3, 0, 0, 2);   // manual grid open
  if (t == 300'000) frames[count++] = Command(0x10, 4, 5, 1, 2);  // import limit on
  if (t == 310'000) frames[count++] = Command(0x12, 5, 2, 0, 1);  // budget 2 kWh
  for (uint8_t i = 0; i < count; ++i) {
    g_effects.Clear();
    PackOnCanFrame(&g_pack, frames[i], t, &g_effects);
    *effects += g_effects.count;
    FleetOnCanFrame(&g_fleet, frames[i], t, findings);
  }
}

}  // namespace

ProbeResult RunProbeSequence() {
  ProbeResult result{0, 0, 0};
  g_fleet = FleetState{};
  g_effects.Clear();
  PackBoot(&g_pack, kSerial, PackSettings{}, 0, &g_effects);
  result.effects += g_effects.count;
  uint64_t reply_at = UINT64_MAX;
  uint32_t polls = 0;
  for (uint64_t t = 0; t <= kEndMs; t += kStepMs) {
    FleetFindings findings;
    while (true) {
      g_effects.Clear();
      if (!PackRunDue(&g_pack, t, &g_effects)) break;
      result.effects += g_effects.count;
      for (uint8_t i = 0; i < g_effects.count; ++i) {
        const Effect& e = g_effects.items[i];
        if (e.kind == EffectKind::kCanSend) FleetOnCanFrame(&g_fleet, e.frame, t, &findings);
        if (e.kind == EffectKind::kModbusSend) {
          ++polls;
          // The BMS goes silent from 150 s to 170 s; every 7th reply is corrupted.
          reply_at = (t >= 150'000 && t < 170'000) ? UINT64_MAX : t + 20;
        }
      }
    }
    while (FleetRunDue(&g_fleet, t, &findings)) findings.count = 0;
    if (t == reply_at) {
      uint8_t reply[kBmsReplyLen];
      const auto voltage = static_cast<uint16_t>(520 + (t / 20'000) % 40);
      BmsReplyBytes(voltage, static_cast<int16_t>(1500 - static_cast<int32_t>((t / 1000) % 3000)),
                    t > 400'000 ? 0x0040 : 0, reply);
      if (polls % 7 == 0) reply[12] ^= 0x5A;
      g_effects.Clear();
      PackOnBmsBytes(&g_pack, reply, sizeof reply, t, &g_effects);
      result.effects += g_effects.count;
      reply_at = UINT64_MAX;
    }
    if (t % 500 == 0) {
      CtSample sample{static_cast<uint32_t>(4000 + (t / 700) % 3000), 9000, 2500, static_cast<uint32_t>(t % 60'000 < 30'000 ? 9000 : 0)};
      g_effects.Clear();
      PackOnCtSample(&g_pack, sample, t, &g_effects);
    }
    SiteFrames(t, &result.effects, &findings);
  }
  result.pack_digest = StateDigest(g_pack);
  result.fleet_digest = StateDigest(g_fleet);
  return result;
}

}  // namespace packtwin::firmware
