// The scenario format's vocabulary: the names a scenario file uses for
// relays, status flags, functions, commands, ACK statuses, BMS and load
// channels and faults, with each channel's range; shared by the parsers and
// by the runner's messages.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "json_fields.h"
#include "packtwin/firmware/protocol_v1.h"
#include "packtwin/replay/scenario.h"

namespace packtwin::replay {

template <typename T>
struct Named {
  const char* name;
  T value;
};

constexpr Named<uint8_t> kRelays[] = {{"grid", 0}, {"inverter", 1}, {"pool", 2}, {"heater", 3}};
constexpr Named<uint8_t> kStatuses[] = {{"lockout", firmware::kStatusLockout},
                                        {"eco_overload", firmware::kStatusEcoOverload},
                                        {"bms_comm_lost", firmware::kStatusBmsCommLost},
                                        {"bms_alarm", firmware::kStatusBmsAlarm},
                                        {"time_unsynced", firmware::kStatusTimeUnsynced},
                                        {"master", firmware::kStatusMaster}};
constexpr Named<uint8_t> kModes[] = {
    {"self_consumption", 1}, {"eco", 2}, {"time_of_use", 3}, {"backup", 4}, {"grid_limit", 5}};
constexpr Named<uint8_t> kCommands[] = {{"set_mode", 0x10},       {"set_eco_limit", 0x11},
                                        {"set_grid_budget", 0x12}, {"set_tou_window", 0x13},
                                        {"set_relay", 0x14},       {"reset_grid_energy", 0x15},
                                        {"request_status", 0x16}};
constexpr Named<uint8_t> kAckStatuses[] = {
    {"ok", 0}, {"unknown_command", 1}, {"bad_length", 2}, {"out_of_range", 3}, {"rejected", 4}};
constexpr Named<Channel> kBmsChannels[] = {{"voltage_mV", kVoltageMv},
                                           {"current_mA", kCurrentMa},
                                           {"alarm_bits", kAlarmBits},
                                           {"temperature_dC", kTemperatureDc}};
constexpr Named<Channel> kLoadChannels[] = {
    {"grid_W", kGridW}, {"home_W", kHomeW}, {"pool_W", kPoolW}, {"heater_W", kHeaterW}, {"noise_W", kNoiseW}};
constexpr Named<StimulusKind> kFaults[] = {{"bms_timeout", StimulusKind::kBmsTimeout},
                                           {"crc_error", StimulusKind::kCrcError},
                                           {"exception", StimulusKind::kException},
                                           {"power_off", StimulusKind::kPowerOff},
                                           {"power_on", StimulusKind::kPowerOn},
                                           {"duplicate_serial", StimulusKind::kDuplicateSerial},
                                           {"time_jump", StimulusKind::kTimeJump},
                                           {"relay_welded", StimulusKind::kRelayWelded}};

template <typename T, size_t N>
std::optional<T> Lookup(JsonFields& f, const char* key, const Named<T> (&table)[N], bool required) {
  auto text = f.String(key, required);
  if (!text) return std::nullopt;
  for (const auto& entry : table) {
    if (*text == entry.name) return entry.value;
  }
  std::string names;
  for (const auto& entry : table) names += fmt::format("{}{}", names.empty() ? "" : ", ", entry.name);
  f.Fail(f.KeyPath(key), fmt::format("\"{}\" is not one of: {}", *text, names));
  return std::nullopt;
}

template <typename T, size_t N>
const char* NameOf(const Named<T> (&table)[N], T value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

inline int64_t ChannelMin(Channel c) {
  switch (c) {
    case kCurrentMa:
      return -327'680;
    case kTemperatureDc:
      return -32'768;
    default:
      return 0;
  }
}
inline int64_t ChannelMax(Channel c) {
  switch (c) {
    case kVoltageMv:
      return 6'553'500;
    case kCurrentMa:
      return 327'670;
    case kAlarmBits:
      return 0xFFFF;
    case kTemperatureDc:
      return 32'767;
    default:
      return 50'000;  // W: a household circuit
  }
}

// Reads an object of channel values (`"bms": {"voltage_mV": 50000}`) into
// `values` (by channel) and/or `targets` (in the file's order).
template <size_t N>
void ParseChannels(JsonFields f, const Named<Channel> (&table)[N], std::array<int64_t, kChannelCount>* values,
                   std::vector<std::pair<Channel, int64_t>>* targets = nullptr) {
  if (!f.value().is_object()) {
    f.Fail(f.path(), fmt::format("expected an object, found {}", JsonTypeName(f.value())));
    return;
  }
  for (const auto& item : f.value().items()) {
    const std::string& key = item.key();  // a plain reference: clang 14 cannot capture structured bindings
    const auto* entry = std::find_if(std::begin(table), std::end(table), [&](const auto& e) { return key == e.name; });
    if (entry == std::end(table)) {
      std::string names;
      for (const auto& e : table) names += fmt::format("{}{}", names.empty() ? "" : ", ", e.name);
      f.Fail(f.KeyPath(key), fmt::format("unknown key (known here: {})", names));
      return;
    }
    auto value = f.Int(entry->name, ChannelMin(entry->value), ChannelMax(entry->value), true);
    if (!value) return;
    if (values != nullptr) (*values)[entry->value] = *value;
    if (targets != nullptr) targets->emplace_back(entry->value, *value);
  }
}

}  // namespace packtwin::replay
