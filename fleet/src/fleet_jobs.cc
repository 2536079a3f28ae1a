#include "packtwin/fleet/fleet_jobs.h"

#include <fmt/format.h>
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/twin/check.h"
#include "packtwin/twin/golden.h"
#include "packtwin/twin/rebuild.h"
#include "packtwin/twin/twin_state.h"

namespace packtwin::fleet {
namespace {

constexpr const char* kJobStream = "PACKTWIN_JOBS";
constexpr const char* kJobSubject = "packtwin.fleet.jobs";
constexpr const char* kResultStream = "PACKTWIN_RESULTS";
constexpr const char* kResultSubjects = "packtwin.fleet.results.*";
constexpr const char* kWorkersDurable = "packtwin-workers";
constexpr int64_t kFetchWait_ms = 500;

std::string ResultSubject(const std::string& run_id) { return "packtwin.fleet.results." + run_id; }

std::optional<JobKind> KindNamed(const std::string& name) {
  if (name == "check") return JobKind::kCheck;
  if (name == "regress") return JobKind::kRegress;
  if (name == "digest") return JobKind::kDigest;
  return std::nullopt;
}

// Reads a string field, saying which one is wrong.
Status Text(const nlohmann::json& json, const char* key, std::string* out) {
  auto found = json.find(key);
  if (found == json.end() || !found->is_string()) return Status::InvalidArgument(fmt::format("/{} is not a string", key));
  *out = found->get<std::string>();
  return Status::Ok();
}

Status Count(const nlohmann::json& json, const char* key, uint64_t* out) {
  auto found = json.find(key);
  if (found == json.end() || !found->is_number_unsigned()) {
    return Status::InvalidArgument(fmt::format("/{} is not a whole number", key));
  }
  *out = found->get<uint64_t>();
  return Status::Ok();
}

// The /kind field of a job or result.
Status KindField(const nlohmann::json& json, const char* what, JobKind* out) {
  std::string kind;
  PACKTWIN_RETURN_IF_ERROR(Text(json, "kind", &kind).Context(fmt::format("a fleet {}: ", what)));
  auto named = KindNamed(kind);
  if (!named) return Status::InvalidArgument(fmt::format("a fleet {}: /kind '{}' is not check, regress or digest", what, kind));
  *out = *named;
  return Status::Ok();
}

Result<nlohmann::json> ParseObject(const std::string& data, const char* what) {
  auto json = nlohmann::json::parse(data, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return Status::InvalidArgument(fmt::format("not a packtwin {} (JSON object)", what));
  return json;
}

std::string NewRunId() {
  std::random_device random;
  return fmt::format("{:08x}{:08x}", random(), random());
}

// DIR/SITE/CAPTURE.db for every site matching the glob, in name order.
std::vector<std::pair<std::string, std::string>> CollectedLogs(const std::string& dir, const std::string& glob) {
  std::vector<std::pair<std::string, std::string>> logs;
  std::error_code ec;
  for (const auto& site : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = site.path().filename().string();
    if (!site.is_directory() || ::fnmatch(glob.c_str(), name.c_str(), 0) != 0) continue;
    for (const auto& file : std::filesystem::directory_iterator(site.path(), ec)) {
      if (file.path().extension() == ".db") logs.emplace_back(name, std::filesystem::absolute(file.path()).string());
    }
  }
  std::sort(logs.begin(), logs.end());
  return logs;
}

JobResult Run(const FleetJob& job, const std::string& worker) {
  JobResult result;
  result.kind = job.kind;
  result.run_id = job.run_id;
  result.job_id = job.job_id;
  result.site = job.site;
  result.worker = worker;
  auto reader = eventlog::EventReader::Open(job.log_path);
  if (!reader.ok()) {
    result.error = reader.status().message();
    return result;
  }
  if (job.kind == JobKind::kDigest) {
    auto state = twin::Rebuild(**reader, {});
    if (!state.ok()) {
      result.error = state.status().message();
      return result;
    }
    result.events = state->events;
    result.digest = fmt::format("{:016x}", twin::TwinDigest(*state));
  } else if (job.kind == JobKind::kCheck) {
    auto report = twin::CheckLog(**reader);
    if (!report.ok()) {
      result.error = report.status().message();
      return result;
    }
    result.events = report->events;
    for (const auto& finding : report->findings) ++result.findings_by_rule[finding.rule];
  } else {
    std::ifstream in(job.golden_path);
    if (!in) {
      result.error = fmt::format("{}: no golden file for site {}", job.golden_path, job.site);
      return result;
    }
    std::stringstream text;
    text << in.rdbuf();
    const auto golden = nlohmann::json::parse(text.str(), nullptr, false);
    if (golden.is_discarded()) {
      result.error = fmt::format("{}: not JSON", job.golden_path);
      return result;
    }
    auto difference = twin::Regress(**reader, golden);
    if (!difference.ok()) {
      result.error = difference.status().message();
      return result;
    }
    auto counts = (*reader)->Counts();
    result.events = counts.ok() ? counts->events : 0;
    if (difference->has_value()) {
      result.differs = true;
      const auto& d = **difference;
      result.difference = fmt::format("seq {}: {}: golden '{}', now '{}'", d.seq, d.what, d.before, d.after);
    }
  }
  return result;
}

}  // namespace

const char* JobKindName(JobKind kind) {
  switch (kind) {
    case JobKind::kCheck: return "check";
    case JobKind::kRegress: return "regress";
    case JobKind::kDigest: return "digest";
  }
  return "?";
}

std::string EncodeJob(const FleetJob& job) {
  return nlohmann::json{{"run", job.run_id}, {"job", job.job_id}, {"kind", JobKindName(job.kind)}, {"site", job.site},
                        {"log", job.log_path}, {"golden", job.golden_path}}
      .dump();
}

Result<FleetJob> DecodeJob(const std::string& data) {
  auto json = ParseObject(data, "job");
  if (!json.ok()) return json.status();
  FleetJob job;
  PACKTWIN_RETURN_IF_ERROR(KindField(*json, "job", &job.kind));
  for (auto [key, out] : {std::pair{"run", &job.run_id}, {"job", &job.job_id}, {"site", &job.site},
                          {"log", &job.log_path}, {"golden", &job.golden_path}}) {
    PACKTWIN_RETURN_IF_ERROR(Text(*json, key, out).Context("a fleet job: "));
  }
  return job;
}

std::string EncodeResult(const JobResult& r) {
  return nlohmann::json{{"kind", JobKindName(r.kind)}, {"run", r.run_id},         {"job", r.job_id},         {"site", r.site},
                        {"worker", r.worker},      {"error", r.error},        {"events", r.events},
                        {"digest", r.digest},      {"findings", r.findings_by_rule}, {"differs", r.differs},
                        {"difference", r.difference}}
      .dump();
}

Result<JobResult> DecodeResult(const std::string& data) {
  auto json = ParseObject(data, "result");
  if (!json.ok()) return json.status();
  JobResult r;
  PACKTWIN_RETURN_IF_ERROR(KindField(*json, "result", &r.kind));
  for (auto [key, out] : {std::pair{"run", &r.run_id}, {"job", &r.job_id}, {"site", &r.site}, {"worker", &r.worker},
                          {"error", &r.error}, {"digest", &r.digest}, {"difference", &r.difference}}) {
    PACKTWIN_RETURN_IF_ERROR(Text(*json, key, out).Context("a fleet result: "));
  }
  PACKTWIN_RETURN_IF_ERROR(Count(*json, "events", &r.events).Context("a fleet result: "));
  auto differs = json->find("differs");
  if (differs == json->end() || !differs->is_boolean()) return Status::InvalidArgument("a fleet result: /differs is not true or false");
  r.differs = differs->get<bool>();
  auto findings = json->find("findings");
  if (findings == json->end() || !findings->is_object()) return Status::InvalidArgument("a fleet result: /findings is not an object");
  for (const auto& [rule, count] : findings->items()) {
    if (!count.is_number_unsigned()) return Status::InvalidArgument(fmt::format("a fleet result: /findings/{} is not a count", rule));
    r.findings_by_rule[rule] = count.get<uint64_t>();
  }
  return r;
}

namespace {

// Gathers the run's results: each job's first result counts (a job run twice,
// after a worker died, publishes twice).
Status GatherResults(NatsLink& link, const std::vector<std::string>& job_ids, int wait_ms, const std::function<bool()>& stop,
                     const std::function<void(const RunSummary&)>& progress, RunSummary* summary) {
  std::map<std::string, JobResult> by_job;
  const std::set<std::string> wanted(job_ids.begin(), job_ids.end());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  // Bounded by the deadline.
  while (by_job.size() < wanted.size() && std::chrono::steady_clock::now() < deadline && !(stop && stop())) {
    auto batch = link.Fetch(64, kFetchWait_ms);
    if (!batch.ok()) return batch.status();
    for (auto& delivery : *batch) {
      auto result = DecodeResult(delivery->Data());
      delivery->Ack();
      if (!result.ok() || result->run_id != summary->run_id || wanted.count(result->job_id) == 0) continue;
      by_job.emplace(result->job_id, std::move(*result));
    }
    summary->results.clear();
    for (const auto& [id, result] : by_job) summary->results.push_back(result);
    if (progress) progress(*summary);
  }
  summary->missing.clear();
  for (const auto& id : job_ids) {
    if (by_job.count(id) == 0) summary->missing.push_back(id);
  }
  return Status::Ok();
}

Status EnsureRunStreams(NatsLink& link, int replicas) {
  PACKTWIN_RETURN_IF_ERROR(link.EnsureStream({kJobStream, kJobSubject, /*work_queue=*/true, replicas}));
  return link.EnsureStream({kResultStream, kResultSubjects, /*work_queue=*/false, replicas});
}

}  // namespace

Result<RunSummary> SubmitRun(const SubmitRequest& request, const std::function<void(const RunSummary&)>& progress) {
  const auto logs = CollectedLogs(request.logs_dir, request.sites_glob);
  if (logs.empty()) {
    return Status::NotFound(fmt::format("{}: no collected logs of sites matching '{}' (DIR/SITE/CAPTURE.db, as collect writes)",
                                        request.logs_dir, request.sites_glob));
  }
  auto link = NatsLink::Connect(request.nats);
  if (!link.ok()) return link.status();
  PACKTWIN_RETURN_IF_ERROR(EnsureRunStreams(**link, request.replicas));
  RunSummary summary;
  summary.run_id = NewRunId();
  // Subscribed before the jobs go out, so no result is missed.
  PACKTWIN_RETURN_IF_ERROR((*link)->Subscribe(kResultStream, ResultSubject(summary.run_id), "", 30'000));
  std::vector<std::string> job_ids;
  for (const auto& [site, path] : logs) {
    FleetJob job;
    job.run_id = summary.run_id;
    job.job_id = site + "/" + std::filesystem::path(path).stem().string();
    job.kind = request.kind;
    job.site = site;
    job.log_path = path;
    if (request.kind == JobKind::kRegress) {
      job.golden_path = std::filesystem::absolute(std::filesystem::path(request.golden_dir) / (site + ".golden.json")).string();
    }
    auto published = (*link)->Publish(kJobSubject, EncodeJob(job), job.run_id + "." + job.job_id, std::nullopt);
    if (!published.ok()) return published.status();
    job_ids.push_back(job.job_id);
  }
  summary.jobs = job_ids.size();
  if (!request.wait) {
    summary.missing = job_ids;
    return summary;
  }
  PACKTWIN_RETURN_IF_ERROR(GatherResults(**link, job_ids, request.timeout_ms, request.stop, progress, &summary));
  return summary;
}

Result<RunSummary> RunResults(const NatsSpec& nats, const std::string& run_id, int wait_ms) {
  auto link = NatsLink::Connect(nats);
  if (!link.ok()) return link.status();
  PACKTWIN_RETURN_IF_ERROR(EnsureRunStreams(**link, 1));
  PACKTWIN_RETURN_IF_ERROR((*link)->Subscribe(kResultStream, ResultSubject(run_id), "", 30'000));
  RunSummary summary;
  summary.run_id = run_id;
  std::map<std::string, JobResult> by_job;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  // Bounded by the deadline: what is in by then.
  while (std::chrono::steady_clock::now() < deadline) {
    auto batch = (*link)->Fetch(64, kFetchWait_ms);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) break;
    for (auto& delivery : *batch) {
      auto result = DecodeResult(delivery->Data());
      delivery->Ack();
      if (result.ok() && result->run_id == run_id) by_job.emplace(result->job_id, std::move(*result));
    }
  }
  for (const auto& [id, result] : by_job) summary.results.push_back(result);
  summary.jobs = summary.results.size();
  return summary;
}

Result<WorkerSummary> RunWorker(const WorkerRequest& request, const std::function<void(const JobResult&)>& done) {
  auto link = NatsLink::Connect(request.nats);
  if (!link.ok()) return link.status();
  PACKTWIN_RETURN_IF_ERROR(EnsureRunStreams(**link, 1));
  PACKTWIN_RETURN_IF_ERROR((*link)->Subscribe(kJobStream, kJobSubject, kWorkersDurable, request.ack_wait_ms));
  const std::string worker = request.name.empty() ? fmt::format("worker-{}", ::getpid()) : request.name;
  WorkerSummary summary;
  auto last_job = std::chrono::steady_clock::now();
  // Bounded by stop() or the idle limit.
  while (!(request.stop && request.stop())) {
    auto batch = (*link)->Fetch(1, kFetchWait_ms);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) {
      const auto idle_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - last_job).count();
      if (request.idle_exit_ms >= 0 && idle_ms >= request.idle_exit_ms) break;
      continue;
    }
    last_job = std::chrono::steady_clock::now();
    Delivery& delivery = *batch->front();
    auto job = DecodeJob(delivery.Data());
    if (!job.ok()) {
      delivery.Term();  // never runnable: not a job
      continue;
    }
    JobResult result = Run(*job, worker);
    // The result first, then the acknowledgement: a worker that dies between
    // the two has its job run again, and the result's id keeps it once.
    auto published = (*link)->Publish(ResultSubject(job->run_id), EncodeResult(result), job->run_id + "." + job->job_id,
                                      std::nullopt);
    if (!published.ok()) {
      delivery.Nak();
      return published.status();
    }
    delivery.Ack();
    ++summary.jobs;
    if (!result.error.empty()) ++summary.failed;
    if (done) done(result);
  }
  return summary;
}

}  // namespace packtwin::fleet
