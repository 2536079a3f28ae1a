#include "packtwin/twin/check_rules.h"

#include <array>

namespace packtwin::twin {
namespace {

constexpr std::array kRules = {
    CheckRule{"grid-closed-in-lockout", "lockout", "pack-behaviour.md: Grid import limit",
              "grid relay closed while TEL status says lockout (defect 3)"},
    CheckRule{"reset-not-at-0500", "daily-reset", "pack-behaviour.md: Grid import limit (daily reset)",
              "grid energy reset at another local time than 05:00; a TIME jumping across 05:00 resets legitimately (defect 4)"},
    CheckRule{"reset-twice", "daily-reset", "pack-behaviour.md: Grid import limit (daily reset)",
              "grid energy reset twice in one day (defect 4)"},
    CheckRule{"grid-energy-scale", "grid-energy", "pack-behaviour.md: Power figures",
              "grid energy today growing over 10 times the integral of TEL_POWER: W taken for kW (defect 8)"},
    CheckRule{"grid-energy-not-integrated", "grid-energy", "pack-behaviour.md: Power figures",
              "grid energy today not moving while TEL_POWER integrates to over 100 Wh of import (defect 8)"},
    CheckRule{"soc-inconsistent-with-voltage", "soc", "pack-behaviour.md: BMS and state of charge",
              "TEL SOC more than 1 % from the SOC of its own voltage (defect 2)"},
    CheckRule{"eco-oscillation", "eco", "pack-behaviour.md: Functions (Eco)",
              "a load Eco shed restored within 30 s (defect 7)"},
    CheckRule{"duplicate-node-id", "identity", "pack-behaviour.md: Identity",
              "the higher of two serials on one id still announcing it after the conflict (defect 6)"},
    CheckRule{"two-masters", "election", "pack-behaviour.md: Election",
              "two nodes acting as master for longer than a handover, 12.5 s (defect 6)"},
    CheckRule{"missing-ack", "commands", "can-protocol.md: Commands",
              "a live pack that did not ACK a command within 2.5 s"},
    CheckRule{"acted-on-non-command", "commands", "can-protocol.md: ids matched exactly",
              "an ACK for a command nobody sent; cites the non-command frame it answered (defect 5)"},
    CheckRule{"telemetry-wrong-length", "frames", "can-protocol.md: frame table",
              "a TEL frame that is not 8 bytes (defect 10)"},
    CheckRule{"bms-reply-not-used", "bms", "pack-behaviour.md: BMS and state of charge; bms-modbus.md",
              "a pack reporting a voltage other than the good BMS replies a Modbus tap saw it sent (defect 1)"},
    CheckRule{"bms-comm-lost-not-raised", "bms", "pack-behaviour.md: BMS and state of charge; bms-modbus.md",
              "no BMS_COMM_LOST after 3 failed poll cycles seen by a Modbus tap"},
    CheckRule{"bms-comm-lost-while-bms-answers", "bms", "pack-behaviour.md: BMS and state of charge; bms-modbus.md",
              "BMS_COMM_LOST still raised after the BMS answered again"},
    CheckRule{"bridge-command-not-on-can", "bridge", "bridge-mqtt.md: Commands",
              "a valid app command not on CAN within 100 ms (the finding names the delay, or never)"},
    CheckRule{"bridge-command-wrong-frame", "bridge", "bridge-mqtt.md: Commands",
              "an app command on CAN as another frame than a correct bridge sends: arguments or addressee (defects 1, 2)"},
    CheckRule{"bridge-invalid-command-on-can", "bridge", "bridge-mqtt.md: Commands",
              "a command the payload rules refuse that still reached CAN"},
    CheckRule{"bridge-command-sent-twice", "bridge", "bridge-mqtt.md: Commands",
              "a command id redelivered within 60 s sent on CAN again (defect 5)"},
    CheckRule{"bridge-result-disagrees-with-acks", "bridge", "bridge-mqtt.md: Commands",
              "a command result whose status or ACKs are not what the bus carried for the command"},
    CheckRule{"bridge-publication-disagrees", "bridge", "bridge-mqtt.md: MQTT side",
              "a telemetry, aggregate, master or info publication that disagrees with the CAN frames it came from (defects 3, 4)"},
    CheckRule{"bridge-time-missing", "bridge", "bridge-mqtt.md: CAN side",
              "no TIME for more than 65 s while the bridge is on the bus (judged in logs that hold its MQTT side)"},
    CheckRule{"relay-decision", "relays", "pack-behaviour.md: Who decides each relay",
              "a relay against the firmware's own DecideRelays fed with what the pack reported, the commands it ACKed and its time"},
};

}  // namespace

std::span<const CheckRule> CheckRules() { return kRules; }

const CheckRule* FindCheckRule(std::string_view name) {
  for (const CheckRule& rule : kRules) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

}  // namespace packtwin::twin
