#include "packtwin/twin/golden.h"

#include <fmt/format.h>

#include "packtwin/twin/check.h"
#include "packtwin/twin/fold.h"
#include "packtwin/twin/names.h"

namespace packtwin::twin {
namespace {

using Json = nlohmann::ordered_json;

// The timeline and digest checkpoints of one rebuild.
Result<Json> Fold(eventlog::EventReader& reader) {
  Json timeline = Json::array();
  Json digests = Json::array();
  Folder folder([&](const Change& c) {
    timeline.push_back({{"seq", c.seq}, {"node", c.node}, {"kind", ChangeKindName(c.kind)}, {"text", ChangeText(c)}});
  });
  Status folded = eventlog::ForEachEvent(reader, 0, [&](const eventlog::StoredEvent& row, const v1::Event& event) -> Result<bool> {
    folder.Fold(event);
    if (row.seq % kGoldenDigestEvery == 0) {
      digests.push_back({{"seq", row.seq}, {"digest", fmt::format("{:016x}", TwinDigest(folder.state()))}});
    }
    return true;
  });
  if (!folded.ok()) return folded;
  digests.push_back({{"seq", folder.state().last_seq}, {"digest", fmt::format("{:016x}", TwinDigest(folder.state()))}});
  return Json{{"events", folder.state().events}, {"timeline", timeline}, {"digests", digests}};
}

std::string Line(const nlohmann::json& change) {
  return fmt::format("{} {}: {}", NodeName(change["node"].get<uint8_t>()), change["kind"].get<std::string>(),
                     change["text"].get<std::string>());
}

}  // namespace

Result<Json> MakeGolden(eventlog::EventReader& reader) {
  auto folded = Fold(reader);
  if (!folded.ok()) return folded.status();
  auto report = CheckLog(reader);
  if (!report.ok()) return report.status();
  Json findings = Json::array();
  for (const auto& f : report->findings) findings.push_back(FindingAsJson(f));
  Json golden = *folded;
  golden["findings"] = findings;
  return golden;
}

namespace {

enum class Want { kUnsigned, kString, kUnsignedArray };

bool Has(const nlohmann::json& value, Want want) {
  switch (want) {
    case Want::kUnsigned:
      return value.is_number_integer() && value.get<int64_t>() >= 0;
    case Want::kString:
      return value.is_string();
    case Want::kUnsignedArray:
      if (!value.is_array()) return false;
      for (const auto& item : value) {
        if (!item.is_number_integer() || item.get<int64_t>() < 0) return false;
      }
      return true;
  }
  return false;
}

const char* Name(Want want) {
  return want == Want::kUnsigned ? "a whole number" : want == Want::kString ? "a string" : "an array of whole numbers";
}

// An array of objects, each with these members of these types; the error names the JSON path.
Status CheckList(const nlohmann::json& golden, const char* key, bool required,
                 std::initializer_list<std::pair<const char*, Want>> members) {
  const auto found = golden.find(key);
  if (found == golden.end()) {
    return required ? Status::InvalidArgument(fmt::format("/{}: missing; write the file with 'packtwin golden'", key))
                    : Status::Ok();
  }
  if (!found->is_array()) return Status::InvalidArgument(fmt::format("/{}: expected an array, found {}", key, found->type_name()));
  for (size_t i = 0; i < found->size(); ++i) {
    const auto& item = (*found)[i];
    if (!item.is_object()) {
      return Status::InvalidArgument(fmt::format("/{}/{}: expected an object, found {}", key, i, item.type_name()));
    }
    for (const auto& [member, want] : members) {
      const auto value = item.find(member);
      if (value == item.end()) return Status::InvalidArgument(fmt::format("/{}/{}/{}: missing", key, i, member));
      if (!Has(*value, want)) {
        return Status::InvalidArgument(fmt::format("/{}/{}/{}: expected {}, found {}", key, i, member, Name(want), value->dump()));
      }
    }
  }
  return Status::Ok();
}

// Every member the comparison reads, with its type: a hand-edited or
// truncated golden file is an error naming the place, never a crash.
Status CheckGoldenShape(const nlohmann::json& golden) {
  if (!golden.is_object()) {
    return Status::InvalidArgument("expected an object with timeline and digests; write one with 'packtwin golden'");
  }
  PACKTWIN_RETURN_IF_ERROR(CheckList(golden, "timeline", true,
                                     {{"seq", Want::kUnsigned}, {"node", Want::kUnsigned}, {"text", Want::kString}, {"kind", Want::kString}}));
  PACKTWIN_RETURN_IF_ERROR(CheckList(golden, "digests", true, {{"seq", Want::kUnsigned}, {"digest", Want::kString}}));
  PACKTWIN_RETURN_IF_ERROR(
      CheckList(golden, "findings", false, {{"rule", Want::kString}, {"evidence_seq", Want::kUnsignedArray}}));
  const auto events = golden.find("events");
  if (events != golden.end() && !Has(*events, Want::kUnsigned)) {
    return Status::InvalidArgument(fmt::format("/events: expected a whole number, found {}", events->dump()));
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<GoldenDifference>> Regress(eventlog::EventReader& reader, const nlohmann::json& golden) {
  const Status shape = CheckGoldenShape(golden);
  if (!shape.ok()) return Status::InvalidArgument("not a packtwin golden file: " + shape.message());
  auto rebuilt = MakeGolden(reader);
  if (!rebuilt.ok()) return rebuilt.status();
  // Compared as the golden file was read: plain JSON.
  const nlohmann::json now = nlohmann::json::parse(rebuilt->dump());
  const auto& before = golden["timeline"];
  const auto& after = now["timeline"];
  for (size_t i = 0; i < std::max(before.size(), after.size()); ++i) {
    const bool has_before = i < before.size();
    const bool has_after = i < after.size();
    if (has_before && has_after && before[i]["seq"] == after[i]["seq"] && before[i]["text"] == after[i]["text"] &&
        before[i]["kind"] == after[i]["kind"]) {
      continue;
    }
    const uint64_t seq = has_before ? before[i]["seq"].get<uint64_t>() : after[i]["seq"].get<uint64_t>();
    return std::optional<GoldenDifference>(
        GoldenDifference{seq, "timeline", has_before ? Line(before[i]) : "(nothing)", has_after ? Line(after[i]) : "(nothing)"});
  }
  const auto& findings_before = golden.value("findings", nlohmann::json::array());
  const auto& findings_after = now["findings"];
  for (size_t i = 0; i < std::max(findings_before.size(), findings_after.size()); ++i) {
    const bool same = i < findings_before.size() && i < findings_after.size() &&
                      findings_before[i]["rule"] == findings_after[i]["rule"] &&
                      findings_before[i]["evidence_seq"] == findings_after[i]["evidence_seq"];
    if (same) continue;
    auto describe = [](const nlohmann::json& list, size_t index) {
      return index < list.size() ? fmt::format("{} {}", list[index]["rule"].get<std::string>(), list[index]["evidence_seq"].dump())
                                 : std::string("(nothing)");
    };
    const auto& any = i < findings_before.size() ? findings_before[i] : findings_after[i];
    return std::optional<GoldenDifference>(GoldenDifference{
        any["evidence_seq"].empty() ? 0 : any["evidence_seq"].back().get<uint64_t>(), "finding",
        describe(findings_before, i), describe(findings_after, i)});
  }
  const auto& digests_before = golden["digests"];
  const auto& digests_after = now["digests"];
  for (size_t i = 0; i < std::min(digests_before.size(), digests_after.size()); ++i) {
    if (digests_before[i] == digests_after[i]) continue;
    return std::optional<GoldenDifference>(GoldenDifference{digests_before[i]["seq"].get<uint64_t>(), "digest",
                                                            digests_before[i]["digest"].get<std::string>(),
                                                            digests_after[i]["digest"].get<std::string>()});
  }
  if (digests_before.size() != digests_after.size() || golden.value("events", nlohmann::json(0)) != now["events"]) {
    return std::optional<GoldenDifference>(
        GoldenDifference{0, "events", golden.value("events", nlohmann::json(0)).dump(), now["events"].dump()});
  }
  return std::optional<GoldenDifference>();
}

}  // namespace packtwin::twin
