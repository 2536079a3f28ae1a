// bridge-mqtt.md's payloads: app commands decoded strictly (every refusal
// names the key), and the bridge's publications encoded as the spec names them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "packtwin/bus/bridge_mqtt_codec.h"

namespace packtwin::bus {
namespace {

using firmware::BridgeCommand;
using firmware::BridgeCommandName;
using firmware::BridgeInvalid;
using nlohmann::json;

BridgeInvalid Refused(std::string_view topic, std::string_view payload) {
  auto decoded = DecodeAppCommand(topic, payload);
  EXPECT_TRUE(std::holds_alternative<BridgeInvalid>(decoded)) << payload;
  return std::holds_alternative<BridgeInvalid>(decoded) ? std::get<BridgeInvalid>(decoded) : BridgeInvalid{};
}

std::string Error(const BridgeInvalid& invalid) { return std::string(invalid.error.text, invalid.error.len); }

TEST(BridgeCommandPayload, EveryCommandSurvivesEncodeThenDecode) {
  std::vector<BridgeCommand> commands(7);
  commands[0].name = BridgeCommandName::kMode;
  commands[0].mode = 5;
  commands[0].on = true;
  commands[1].name = BridgeCommandName::kEcoLimit;
  commands[1].watts = 25000;
  commands[2].name = BridgeCommandName::kGridBudget;
  commands[2].kwh = 2;
  commands[3].name = BridgeCommandName::kTouWindow;
  commands[3].start_h = 23;
  commands[3].end_h = 0;
  commands[4].name = BridgeCommandName::kRelay;
  commands[4].relay = 3;
  commands[4].relay_state = 0xFF;
  commands[4].node = 0x2A;
  commands[5].name = BridgeCommandName::kResetGridEnergy;
  commands[6].name = BridgeCommandName::kRequestStatus;
  for (auto& command : commands) {
    command.id.Set("app-7f3a");
    const auto sent = EncodeAppCommand(command);
    auto decoded = DecodeAppCommand(sent.topic, sent.payload);
    ASSERT_TRUE(std::holds_alternative<BridgeCommand>(decoded)) << sent.topic << " " << sent.payload << ": "
                                                                 << Error(std::get<BridgeInvalid>(decoded));
    const auto& back = std::get<BridgeCommand>(decoded);
    EXPECT_EQ(EncodeAppCommand(back).payload, sent.payload);
    EXPECT_EQ(back.node, command.node);
  }
  EXPECT_EQ(EncodeAppCommand(commands[0]).topic, "alfaspark/commands/mode");
  EXPECT_EQ(EncodeAppCommand(commands[0]).payload, R"({"id":"app-7f3a","mode":"grid_import_limit","on":true})");
}

TEST(BridgeCommandPayload, APayloadThatIsNotJsonIsInvalid) {
  EXPECT_EQ(Error(Refused("alfaspark/commands/mode", "{\"id\": \"a\", ")), "payload: not JSON");
}

TEST(BridgeCommandPayload, APayloadThatIsNotUtf8IsInvalidWithTheByteOffset) {
  EXPECT_EQ(Error(Refused("alfaspark/commands/mode", "{\"id\":\"a\xff\"}")), "payload: not UTF-8 (byte 8)");
  EXPECT_EQ(Error(Refused("alfaspark/commands/mode", "{\"id\":\"\xc3\"}")), "payload: not UTF-8 (byte 7)") << "cut short";
  EXPECT_EQ(Error(Refused("alfaspark/commands/mode", "\xed\xa0\x80")), "payload: not UTF-8 (byte 0)") << "a surrogate";
}

TEST(BridgeCommandPayload, ADeeplyNestedPayloadIsRefusedBeforeParsing) {
  const std::string deep(4000, '[');  // within the size limit
  EXPECT_EQ(Error(Refused("alfaspark/commands/mode", deep)), "payload: nested deeper than 8");
}

TEST(BridgeCommandPayload, AMegabytePayloadIsRefusedBySize) {
  const std::string big = "{\"id\":\"a\",\"pad\":\"" + std::string(1'000'000, 'x') + "\"}";
  EXPECT_EQ(Error(Refused("alfaspark/commands/mode", big)), "payload: 1000019 bytes; a command is at most 4096");
}

TEST(BridgeCommandPayload, AnUnknownKeyIsNamed) {
  auto invalid = Refused("alfaspark/commands/eco_limit", R"({"id":"a","watts":3000,"value":1})");
  EXPECT_EQ(Error(invalid), "value: not a key of eco_limit");
  EXPECT_TRUE(invalid.has_id);
  EXPECT_STREQ(invalid.id.text, "a");
}

TEST(BridgeCommandPayload, AMissingKeyIsNamed) {
  EXPECT_EQ(Error(Refused("alfaspark/commands/mode", R"({"id":"a","mode":"eco"})")), "on: missing");
}

TEST(BridgeCommandPayload, AWrongTypeIsNamed) {
  EXPECT_EQ(Error(Refused("alfaspark/commands/eco_limit", R"({"id":"a","watts":"3000"})")),
            "watts: expected an integer, got string");
  EXPECT_EQ(Error(Refused("alfaspark/commands/eco_limit", R"({"id":"a","watts":3000.5})")),
            "watts: expected an integer, got a fraction");
  EXPECT_EQ(Error(Refused("alfaspark/commands/mode", R"({"id":"a","mode":"eco","on":1})")), "on: expected a boolean, got number");
}

TEST(BridgeCommandPayload, AValueOutOfRangeIsNamedWithTheRange) {
  EXPECT_EQ(Error(Refused("alfaspark/commands/eco_limit", R"({"id":"a","watts":99})")), "watts: 99 is out of range 100..25000");
  EXPECT_EQ(Error(Refused("alfaspark/commands/grid_budget", R"({"id":"a","kwh":31})")), "kwh: 31 is out of range 2..30");
  EXPECT_EQ(Error(Refused("alfaspark/commands/tou_window", R"({"id":"a","start_h":5,"end_h":5})")), "end_h: must differ from start_h");
  EXPECT_EQ(Error(Refused("alfaspark/commands/relay", R"({"id":"a","relay":"sauna","state":"open"})")),
            "relay: 'sauna' is not one of grid, inverter, pool_pump, water_heater");
  EXPECT_EQ(Error(Refused("alfaspark/commands/mode", R"({"id":"a","node":127,"mode":"eco","on":true})")),
            "node: 127 is out of range 1..126");
  EXPECT_EQ(Error(Refused("alfaspark/commands/eco_limit", R"({"id":"a","watts":18446744073709551615})")),
            "watts: 9223372036854775807 is out of range 100..25000");
}

TEST(BridgeCommandPayload, WithoutAUsableIdTheResultCarriesNullIdAndTheRawTopic) {
  auto no_id = Refused("alfaspark/commands/request_status", R"({})");
  EXPECT_FALSE(no_id.has_id);
  EXPECT_EQ(Error(no_id), "id: missing");
  EXPECT_STREQ(no_id.topic.text, "alfaspark/commands/request_status");
  EXPECT_EQ(Error(Refused("alfaspark/commands/request_status", R"({"id":""})")), "id: expected 1 to 64 printable ASCII characters");
  EXPECT_EQ(Error(Refused("alfaspark/commands/request_status", "{\"id\":\"" + std::string(65, 'a') + "\"}")),
            "id: expected 1 to 64 printable ASCII characters");
  EXPECT_EQ(Error(Refused("alfaspark/commands/request_status", R"([1,2])")), "payload: expected a JSON object, got array");
}

TEST(BridgeCommandPayload, TopicsThatAreNotOursOrNotACommandAreInvalid) {
  EXPECT_FALSE(IsCommandTopic("alfaspark/2A/telemetry"));
  EXPECT_FALSE(IsCommandTopic("alfaspark/commands/result")) << "the bridge's own publication, back through its wildcard";
  EXPECT_EQ(Error(Refused("home/lights", R"({"id":"a"})")), "not a command topic (alfaspark/commands/<name>)");
  auto unknown = Refused("alfaspark/commands/self_destruct", R"({"id":"a"})");
  EXPECT_EQ(Error(unknown), "'self_destruct' is not a command");
  EXPECT_TRUE(unknown.has_id);
}

TEST(BridgePublicationPayload, TelemetryHasTheSpecsKeysWithUnitsLast) {
  firmware::BridgePublication p;
  p.topic = firmware::BridgeTopic::kTelemetry;
  p.node = 0x2A;
  p.ts_ms = 1795233600123;
  p.batt = {0x2A, 5120, -250, 64, 0x5, 0x3, 0x21};
  p.power = {0x2A, 100, 900, -800, 0};
  p.loads = {0x2A, 0, 2000, 123, 10, 30};
  const auto out = EncodePublication(p);
  EXPECT_EQ(out.topic, "alfaspark/2A/telemetry");
  EXPECT_FALSE(out.retained);
  EXPECT_EQ(out.qos, 1);
  const json payload = json::parse(out.payload);
  EXPECT_EQ(payload["soc_pct"], 64);
  EXPECT_EQ(payload["pack_mV"], 51200);
  EXPECT_EQ(payload["current_mA"], -2500);
  EXPECT_EQ(payload["grid_today_Wh"], 1230);
  EXPECT_EQ(payload["eco_limit_W"], 3000);
  EXPECT_EQ(payload["relays"], json({{"grid", true}, {"inverter", false}, {"pool_pump", true}, {"water_heater", false}}));
  EXPECT_EQ(payload["modes"], json({"self_consumption", "eco"}));
  EXPECT_EQ(payload["status"], json({"lockout", "master"}));
  EXPECT_EQ(payload["ts_ms"], 1795233600123);
}

TEST(BridgePublicationPayload, AResultListsAcksByNodeAndTheMissing) {
  firmware::BridgePublication p;
  p.topic = firmware::BridgeTopic::kResult;
  p.result.has_id = true;
  p.result.id.Set("press-1");
  p.result.seq = 7;
  p.result.status = firmware::BridgeResultStatus::kPartial;
  p.result.expected.Add(0x2A);
  p.result.expected.Add(0x2B);
  p.result.ack[0x2A] = 1;  // OK
  const auto out = EncodePublication(p);
  EXPECT_EQ(out.topic, "alfaspark/commands/result");
  EXPECT_EQ(out.payload, R"({"acks":{"2A":"OK"},"id":"press-1","missing":["2B"],"seq":7,"status":"partial"})");
}

TEST(BridgePublicationPayload, MasterIsNullWhenNoNodeIsLiveAndStatusIsPlainText) {
  firmware::BridgePublication master;
  master.topic = firmware::BridgeTopic::kMaster;
  master.retained = true;
  const auto out = EncodePublication(master);
  EXPECT_EQ(out.topic, "alfaspark/master");
  EXPECT_TRUE(out.retained);
  EXPECT_EQ(json::parse(out.payload)["node"], nullptr);
  firmware::BridgePublication status;
  status.topic = firmware::BridgeTopic::kStatus;
  status.online = true;
  EXPECT_EQ(EncodePublication(status).payload, "online");
  EXPECT_TRUE(EncodePublication(status).retained);
}

}  // namespace
}  // namespace packtwin::bus
