#include "packtwin/twin/check.h"

#include <fmt/format.h>

#include <memory>
#include <vector>

#include "check_family.h"
#include "packtwin/base/bug.h"
#include "packtwin/base/time_spec.h"
#include "packtwin/twin/check_rules.h"
#include "packtwin/twin/fold.h"
#include "packtwin/twin/names.h"

namespace packtwin::twin {
namespace {

const std::string kSpecFolder = "docs/spec/";

// Feeds every family (one per file, check_*.cc) each fold change and typed
// event in log order, and collects their findings.
class Checker {
 public:
  Checker() {
    context_.flag = [this](int64_t wall_ns, uint8_t node, std::string_view rule_name, std::string expected,
                           std::string observed, std::vector<uint64_t> evidence) {
      const CheckRule* rule = FindCheckRule(rule_name);
      if (rule == nullptr) PACKTWIN_BUG("a check finding names a rule missing from the rule table");
      // Cited by the copy of the spec that ships with packtwin (docs/spec/), so a
      // finding's reader can look the rule up without the team's shared folder.
      findings_.push_back({wall_ns, node, std::string(rule->name), kSpecFolder + std::string(rule->section),
                           std::move(expected), std::move(observed), std::move(evidence)});
    };
    // The order findings at one instant come in.
    for (auto make : {check::MakeCommandsFamily, check::MakeFramesFamily, check::MakeLockoutFamily,
                      check::MakeSocFamily, check::MakeDailyResetFamily, check::MakeGridEnergyFamily,
                      check::MakeEcoFamily, check::MakeIdentityFamily, check::MakeElectionFamily,
                      check::MakeRelaysFamily, check::MakeBmsFamily, check::MakeBridgeFamily}) {
      families_.push_back(make(context_));
    }
  }

  void OnChange(const Change& change) {
    for (auto& family : families_) family->OnChange(change);
  }

  void OnEvent(const TypedEvent& typed, const TwinState& state) {
    if (const auto* time = typed.As<firmware::TimeFrame>()) context_.clock.OnTime(typed.wall_ns, *time);
    for (auto& family : families_) family->OnEvent(typed, state);
  }

  void Finish(int64_t end_ns) {
    for (auto& family : families_) family->Finish(end_ns);
  }

  std::vector<Finding> TakeFindings() { return std::move(findings_); }

 private:
  check::CheckContext context_;
  std::vector<std::unique_ptr<check::CheckFamily>> families_;
  std::vector<Finding> findings_;
};

}  // namespace

Result<CheckReport> CheckLog(eventlog::EventReader& reader, const ProgressFn& progress) {
  Checker checker;
  Folder folder([&checker](const Change& change) { checker.OnChange(change); });
  CheckReport report;
  int64_t last_ns = 0;
  Status walked = eventlog::ForEachEvent(reader, 0, [&](const eventlog::StoredEvent&, const v1::Event& event) -> Result<bool> {
    const TypedEvent typed = TypeEvent(event);  // decoded once, for the fold and every rule
    folder.Fold(typed);
    checker.OnEvent(typed, folder.state());
    last_ns = event.wall_time_ns();
    if (progress && (++report.events & 0x3FFF) == 0) progress(report.events, 0);
    return true;
  });
  if (!walked.ok()) return walked;
  report.events = folder.state().events;
  // A command at the very end of a capture cannot be judged: its ACKs may be after it.
  checker.Finish(last_ns - 2 * check::kDecisionAllowanceNs);
  report.findings = checker.TakeFindings();
  for (const auto& [node, pack] : folder.state().packs) report.nodes_seen.push_back(node);
  for (uint8_t node = 0; node < firmware::kNodeSlots; ++node) {
    if (firmware::EntryOf(folder.state().fleet.nodes, node).present) report.nodes_seen.push_back(node);
  }
  std::sort(report.nodes_seen.begin(), report.nodes_seen.end());
  report.nodes_seen.erase(std::unique(report.nodes_seen.begin(), report.nodes_seen.end()), report.nodes_seen.end());
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.wall_ns < b.wall_ns; });
  return report;
}

Result<CheckReport> CheckLog(eventlog::EventReader& reader, const CheckScope& scope, const ProgressFn& progress) {
  auto report = CheckLog(reader, progress);
  if (!report.ok()) return report;
  std::erase_if(report->findings, [&scope](const Finding& f) {
    const bool rule_out = !scope.rules.empty() && std::find(scope.rules.begin(), scope.rules.end(), f.rule) == scope.rules.end();
    return rule_out || (scope.node && f.node != *scope.node);
  });
  return report;
}

std::string FindingAsText(const Finding& f) {
  std::string evidence;
  for (uint64_t seq : f.evidence) evidence += (evidence.empty() ? "" : ", ") + std::to_string(seq);
  return fmt::format("{}  {:<5} {}  [{}]\n    expected: {}\n    observed: {}\n    evidence: seq {}\n",
                     FormatDisplayTime(f.wall_ns), f.node == 0 ? "site" : NodeName(f.node), f.rule, f.section, f.expected,
                     f.observed, evidence);
}

nlohmann::ordered_json FindingAsJson(const Finding& f) {
  return {{"time", FormatUtc(f.wall_ns)},
          {"node", f.node == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(NodeName(f.node))},
          {"rule", f.rule},
          {"section", f.section},
          {"expected", f.expected},
          {"observed", f.observed},
          {"evidence_seq", f.evidence}};
}

}  // namespace packtwin::twin
