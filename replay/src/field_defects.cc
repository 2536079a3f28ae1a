#include "field_defects.h"

#include <algorithm>

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/can_v1_id.h"
#include "packtwin/firmware/protocol_v1.h"

namespace packtwin::replay {
namespace {

using firmware::CanFrame;
using firmware::CanFunction;

CanFunction FunctionOf(const CanFrame& frame) { return static_cast<CanFunction>(frame.id >> 7); }

bool LooksLikeCommand(const CanFrame& frame) {
  return frame.len >= 2 && frame.data[0] >= static_cast<uint8_t>(firmware::Command::kSetMode) &&
         frame.data[0] <= static_cast<uint8_t>(firmware::Command::kRequestStatus);
}

}  // namespace

std::string FieldDefects::BytesThePackSees(const std::string& reply) const {
  if (!Has(1) || reply.size() < 2) return reply;
  std::string swapped = reply;
  std::swap(swapped[swapped.size() - 2], swapped[swapped.size() - 1]);
  return swapped;
}

bool FieldDefects::Hears(const firmware::PackState& state, CanFrame* frame) const {
  // Defect 5: `(id & 0x200) == 0x200` taken for a command; acted on as if broadcast.
  if (Has(5) && (frame->id & 0x200u) == 0x200u && frame->id >= 0x300 && LooksLikeCommand(*frame)) {
    frame->id = firmware::kBroadcastNodeId;
  }
  // Defect 6: every unit has the same id and never compares serials, so it
  // never notices another unit on its id (it takes those frames for echoes).
  if (Has(6) && (frame->id & 0x7Fu) == state.settings.node_id && FunctionOf(*frame) == CanFunction::kHeartbeat) {
    return false;
  }
  return true;
}

void FieldDefects::RelayEvt(const firmware::PackState& state, const CanFrame& frame, std::vector<CanFrame>* out) {
  firmware::RelayEvtFrame evt;
  if (firmware::DecodeRelayEvt(frame, &evt) != firmware::DecodeStatus::kOk) return;
  const auto lockout = static_cast<uint8_t>(firmware::RelayCause::kLockout);
  const auto eco = static_cast<uint8_t>(firmware::RelayCause::kEco);
  const uint8_t modes = state.settings.modes;
  // Defect 3: Backup or self-consumption closes the grid again in the cycle lockout opened it.
  if (Has(3) && evt.relay == firmware::kRelayGrid && !evt.closed && evt.cause == lockout &&
      (modes & (firmware::kModeBackup | firmware::kModeSelfConsumption)) != 0) {
    extra_closed_ |= 1u << firmware::kRelayGrid;
    const auto cause = (modes & firmware::kModeBackup) != 0 ? firmware::RelayCause::kBackup
                                                            : firmware::RelayCause::kSelfConsumption;
    out->push_back(firmware::EncodeRelayEvt({evt.node, firmware::kRelayGrid, 1, static_cast<uint8_t>(cause),
                                             static_cast<uint8_t>(evt.relays_after | 1u)}));
  }
  if (Has(3) && evt.relay == firmware::kRelayGrid && evt.closed) extra_closed_ &= static_cast<uint8_t>(~1u);
  // Defect 7: a shed load reads 0 A, so the next cycle restores it.
  if (Has(7) && !evt.closed && evt.cause == eco) pending_restores_ |= static_cast<uint8_t>(1u << evt.relay);
}

void FieldDefects::Sends(const firmware::PackState& state, const CanFrame& frame, int64_t local_day_ms,
                         std::vector<CanFrame>* out) {
  CanFrame sent = frame;
  switch (FunctionOf(frame)) {
    case CanFunction::kTelBatt:
      if (Has(7) && pending_restores_ != 0) {
        for (uint8_t relay = 0; relay < firmware::kRelayCount; ++relay) {
          if (((pending_restores_ >> relay) & 1u) == 0) continue;
          extra_closed_ |= static_cast<uint8_t>(1u << relay);
          out->push_back(firmware::EncodeRelayEvt({state.settings.node_id, relay, 1,
                                                   static_cast<uint8_t>(firmware::RelayCause::kDefault),
                                                   static_cast<uint8_t>(state.decision.relays | extra_closed_)}));
        }
        pending_restores_ = 0;
      }
      // Defect 2: SOC integrated on every loop pass runs to a rail.
      if (Has(2)) sent.data[4] = static_cast<int16_t>(sent.data[2] | (sent.data[3] << 8)) >= 0 ? 100 : 0;
      if (Has(3) || Has(7)) sent.data[5] = static_cast<uint8_t>(sent.data[5] | extra_closed_);
      break;
    case CanFunction::kTelLoads: {
      uint32_t wh10 = static_cast<uint32_t>(sent.data[4] | (sent.data[5] << 8));
      // Defect 4: the daily reset at midnight instead of 05:00.
      if (Has(4)) {
        if (last_day_ms_ >= 0 && local_day_ms < last_day_ms_) {
          past_midnight_ = true;
          midnight_offset_Wh10_ = wh10;
        }
        last_day_ms_ = local_day_ms;
        if (past_midnight_) wh10 = wh10 >= midnight_offset_Wh10_ ? wh10 - midnight_offset_Wh10_ : 0;
      }
      // Defect 8: W integrated as if kW.
      if (Has(8)) wh10 = std::min<uint32_t>(wh10 * 1000, 0xFFFF);
      sent.data[4] = static_cast<uint8_t>(wh10 & 0xFF);
      sent.data[5] = static_cast<uint8_t>(wh10 >> 8);
      // Defect 10: telemetry packed into 15 bytes: the second frame carries 7.
      if (Has(10)) sent.len = 7;
      break;
    }
    case CanFunction::kRelayEvt:
      out->push_back(sent);
      RelayEvt(state, frame, out);
      return;
    default:
      break;
  }
  out->push_back(sent);
}

}  // namespace packtwin::replay
