#include "commands.h"

#include <cassert>

#include "pack_actions.h"
#include "packtwin/firmware/le_bytes.h"

namespace packtwin::firmware {
namespace {

struct Context {
  PackState* state;
  const CommandFrame& command;
  uint64_t now_ms;
  Effects* effects;
  bool* send_status;
};

using Handler = AckStatus (*)(Context& ctx);

// Stores a setting only when the command changes it (flash wear).
template <typename T>
AckStatus Update(Context& ctx, T* field, T value, StoredSetting setting) {
  if (*field == value) return AckStatus::kOk;
  *field = value;
  WriteSetting(ctx.state, setting, ctx.effects);
  return AckStatus::kOk;
}

AckStatus SetMode(Context& ctx) {
  const uint8_t mode = ctx.command.args[0];
  const uint8_t on = ctx.command.args[1];
  if (mode < 1 || mode > kModeCount || on > 1) return AckStatus::kOutOfRange;
  const auto bit = static_cast<uint8_t>(1u << (mode - 1));
  PackSettings& settings = ctx.state->settings;
  const auto modes = static_cast<uint8_t>(on ? (settings.modes | bit) : (settings.modes & ~bit));
  if (modes == settings.modes) return AckStatus::kOk;
  Update(ctx, &settings.modes, modes, StoredSetting::kModes);
  // Switching the import limit off ends a lockout at once.
  if (bit == kModeGridLimit && !on) EndLockout(ctx.state, ctx.effects);
  return AckStatus::kOk;
}

AckStatus SetEcoLimit(Context& ctx) {
  const uint16_t watts = GetU16(&ctx.command.args[0]);
  if (watts < 100 || watts > 25000) return AckStatus::kOutOfRange;
  return Update(ctx, &ctx.state->settings.eco_limit_W, watts, StoredSetting::kEcoLimit);
}

AckStatus SetGridBudget(Context& ctx) {
  const uint8_t kwh = ctx.command.args[0];
  if (kwh < 2 || kwh > 30) return AckStatus::kOutOfRange;
  return Update(ctx, &ctx.state->settings.grid_budget_kWh, kwh, StoredSetting::kGridBudget);
}

AckStatus SetTouWindow(Context& ctx) {
  const uint8_t start = ctx.command.args[0];
  const uint8_t end = ctx.command.args[1];
  if (start > 23 || end > 23 || start == end) return AckStatus::kOutOfRange;
  // Both hours are one stored setting: one write when either changes.
  PackSettings& settings = ctx.state->settings;
  const auto window = static_cast<uint16_t>((start << 8) | end);
  auto stored = static_cast<uint16_t>((settings.tou_start_h << 8) | settings.tou_end_h);
  const AckStatus status = Update(ctx, &stored, window, StoredSetting::kTouWindow);
  settings.tou_start_h = start;
  settings.tou_end_h = end;
  return status;
}

// Manual relay states are never stored; the relay follows at the next cycle.
AckStatus SetRelayCommand(Context& ctx) {
  const uint8_t relay = ctx.command.args[0];
  const uint8_t state = ctx.command.args[1];
  if (relay >= kRelayCount || (state > 1 && state != kManualClear)) return AckStatus::kOutOfRange;
  assert(relay < sizeof ctx.state->decision.manual);
  if (state == kManualClear) {
    ctx.state->decision.manual[relay] = kNoManual;
    return AckStatus::kOk;
  }
  if (FunctionControlsRelay(ctx.state->decision, DecisionInputsFor(*ctx.state, ctx.now_ms), relay)) {
    return AckStatus::kRejected;
  }
  ctx.state->decision.manual[relay] = state;
  return AckStatus::kOk;
}

AckStatus ResetGridEnergyCommand(Context& ctx) {
  ResetGridEnergy(&ctx.state->grid_energy);
  EndLockout(ctx.state, ctx.effects);
  return AckStatus::kOk;
}

AckStatus RequestStatus(Context& ctx) {
  *ctx.send_status = true;
  return AckStatus::kOk;
}

struct CommandSpec {
  Command cmd;
  uint8_t frame_len;  // cmd + seq + args
  Handler handler;
};

constexpr CommandSpec kCommandTable[] = {
    {Command::kSetMode, 4, SetMode},
    {Command::kSetEcoLimit, 4, SetEcoLimit},
    {Command::kSetGridBudget, 3, SetGridBudget},
    {Command::kSetTouWindow, 4, SetTouWindow},
    {Command::kSetRelay, 4, SetRelayCommand},
    {Command::kResetGridEnergy, 2, ResetGridEnergyCommand},
    {Command::kRequestStatus, 2, RequestStatus},
};

}  // namespace

AckStatus HandleCommand(PackState* state, const CommandFrame& command, uint64_t now_ms, Effects* effects,
                        bool* send_status) {
  ++state->counters.commands;
  for (const CommandSpec& spec : kCommandTable) {
    if (static_cast<uint8_t>(spec.cmd) != command.cmd) continue;
    if (command.args_len + 2 != spec.frame_len) return AckStatus::kBadLength;
    Context ctx{state, command, now_ms, effects, send_status};
    return spec.handler(ctx);
  }
  return AckStatus::kUnknownCommand;
}

}  // namespace packtwin::firmware
