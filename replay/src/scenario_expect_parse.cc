// $.expect of a scenario: relay, status, SOC, node id, master and ACK at a
// time; "never" over an interval; and what `check` must say.
#include <fmt/format.h>

#include <algorithm>

#include "scenario_names.h"
#include "scenario_parsers.h"

namespace packtwin::replay {
namespace {

class ExpectationParser {
 public:
  explicit ExpectationParser(Scenario& scenario) : scenario_(scenario) {}

  void ParseExpectation(JsonFields f) {
    if (f.Has("check")) {
      ParseCheck(f);
      return;
    }
    if (!f.ExpectObject({"at", "from", "to", "never", "pack", "relay", "closed", "status", "active", "master",
                         "soc_pct", "node_id", "ack", "publication", "note"})) {
      return;
    }
    Expectation e;
    e.path = f.path();
    if (f.Has("never")) {
      e.never = true;
      e.from_ms = f.Duration("from", false).value_or(0);
      e.to_ms = f.Duration("to", false).value_or(scenario_.site.duration_ms);
      if (f.Has("at")) f.Fail(f.KeyPath("at"), "\"never\" takes \"from\" and \"to\", not \"at\"");
      auto subject = f.Member("never", true);
      if (!subject->ExpectObject({"pack", "relay", "closed", "status", "active", "master", "publication"})) return;
      ParseSubject(*subject, &e);
    } else {
      e.at_ms = f.Duration("at", true).value_or(0);
      ParseSubject(f, &e);
    }
    scenario_.expectations.push_back(std::move(e));
  }

  // {"topic": "alfaspark/commands/result", "fields": {"id": "app-1", "status": "ok"}}
  void ParsePublication(JsonFields p, Expectation* e) {
    if (!p.ExpectObject({"topic", "fields"})) return;
    if (!scenario_.mqtt_bridge) p.Fail(p.path(), "the site's bridge is not on MQTT ($.site.bridge.mqtt: true)");
    e->subject = Subject::kPublication;
    e->topic = p.String("topic", true).value_or("");
    if (p.Has("fields")) {
      const auto& fields = p.value()["fields"];
      if (!fields.is_object()) {
        p.Fail(p.KeyPath("fields"), "expected an object of payload keys and their values");
        return;
      }
      e->fields = fields.dump();
    } else {
      e->fields = "{}";
    }
    e->text = fmt::format("a publication on {} with {}", e->topic, e->fields);
  }

  void ParseSubject(JsonFields& f, Expectation* e) {
    const std::string when = e->never ? "never" : "at";
    if (f.Has("publication")) {
      ParsePublication(*f.Member("publication", true), e);
      return;
    }
    if (f.Has("relay")) {
      e->subject = Subject::kRelay;
      e->pack = PackIndex(f, "pack", true);
      e->relay = Lookup(f, "relay", kRelays, true).value_or(0);
      e->on = f.Bool("closed", true).value_or(true);
    } else if (f.Has("status")) {
      e->subject = Subject::kStatus;
      e->pack = PackIndex(f, "pack", true);
      e->status_bit = Lookup(f, "status", kStatuses, true).value_or(0);
      e->on = f.Bool("active", true).value_or(true);
    } else if (f.Has("master")) {
      e->subject = Subject::kMaster;
      auto who = f.String("master", true).value_or("");
      e->master = who == "gateway" ? kMasterGateway : who == "none" ? kMasterNone : PackIndex(f, "master", true);
    } else if (f.Has("soc_pct") && !e->never) {
      e->subject = Subject::kSoc;
      e->pack = PackIndex(f, "pack", true);
      e->value = f.Int("soc_pct", 0, 100, true).value_or(0);
    } else if (f.Has("node_id") && !e->never) {
      e->subject = Subject::kNodeId;
      e->pack = PackIndex(f, "pack", true);
      e->value = f.Int("node_id", 1, 0x7E, true).value_or(0);
    } else if (f.Has("ack") && !e->never) {
      ParseAck(*f.Member("ack", true), e);
    } else {
      f.Fail(f.path(), e->never ? "expected one of: relay, status, master"
                                : "expected one of: relay, status, master, soc_pct, node_id, ack, check");
    }
    e->text = f.value().dump();
  }

  void ParseAck(JsonFields a, Expectation* e) {
    if (!a.ExpectObject({"from", "cmd", "seq", "status"})) return;
    e->subject = Subject::kAck;
    e->pack = PackIndex(a, "from", true);
    e->ack_cmd = a.Has("cmd") && a.value()["cmd"].is_number_integer()
                     ? static_cast<uint8_t>(a.Int("cmd", 0, 255, true).value_or(0))
                     : Lookup(a, "cmd", kCommands, true).value_or(0);
    e->ack_seq = static_cast<int>(a.Int("seq", 0, 255, false).value_or(-1));
    e->ack_status = Lookup(a, "status", kAckStatuses, false).value_or(0);
  }

  void ParseCheck(JsonFields& f) {
    if (!f.ExpectObject({"check", "note"})) return;
    auto& check = scenario_.check;
    if (check.present) f.Fail(f.path(), "a scenario has one \"check\" expectation");
    check.present = true;
    check.path = f.path();
    const auto& v = f.value()["check"];
    if (v == "clean") return;
    auto body = *f.Member("check", true);
    if (!body.ExpectObject({"reports"})) return;
    check.clean = false;
    auto rules = body.Array("reports", true);
    if (!rules) return;
    for (const auto& rule : rules->value()) {
      if (!rule.is_string()) {
        rules->Fail(rules->path(), "expected rule names like \"grid-closed-in-lockout\"");
        return;
      }
      check.rules.push_back(rule.get<std::string>());
    }
    if (check.rules.empty()) rules->Fail(rules->path(), "name at least one rule (or write \"check\": \"clean\")");
  }

 private:
  int PackIndex(JsonFields& f, const char* key, bool required) { return replay::PackIndex(scenario_, f, key, required); }

  Scenario& scenario_;
};

}  // namespace

void ParseExpectation(JsonFields f, Scenario* scenario) { ExpectationParser(*scenario).ParseExpectation(f); }

}  // namespace packtwin::replay
