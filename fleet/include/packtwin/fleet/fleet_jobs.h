// `packtwin fleet check|regress|digest` and `fleet worker`: the twin run
// across every collected site capture, one job per capture on a JetStream
// work queue, results on a stream the submitter reads back.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "packtwin/base/status.h"
#include "packtwin/fleet/nats_link.h"

namespace packtwin::fleet {

enum class JobKind { kCheck, kRegress, kDigest };
const char* JobKindName(JobKind kind);

struct FleetJob {
  std::string run_id;
  std::string job_id;  // unique in the run: "<site>/<capture>"
  JobKind kind = JobKind::kDigest;
  std::string site;
  std::string log_path;     // the collected log, as workers see it (a shared directory)
  std::string golden_path;  // regress: the site's golden file
};

struct JobResult {
  JobKind kind = JobKind::kDigest;
  std::string run_id;
  std::string job_id;
  std::string site;
  std::string worker;
  std::string error;  // the job could not run (the log is missing or damaged, ...)
  uint64_t events = 0;
  std::string digest;                                // digest
  std::map<std::string, uint64_t> findings_by_rule;  // check
  bool differs = false;                              // regress
  std::string difference;                            // regress: the first difference
};

// JSON both ways; reading validates every field's type and says which is wrong.
std::string EncodeJob(const FleetJob& job);
Result<FleetJob> DecodeJob(const std::string& data);
std::string EncodeResult(const JobResult& result);
Result<JobResult> DecodeResult(const std::string& data);

struct SubmitRequest {
  NatsSpec nats;
  JobKind kind = JobKind::kDigest;
  std::string logs_dir;    // what collect wrote: DIR/SITE/CAPTURE.db
  std::string sites_glob = "*";
  std::string golden_dir;  // regress: DIR/SITE.golden.json
  int replicas = 1;
  bool wait = true;
  int timeout_ms = 600'000;
  std::function<bool()> stop;
};

struct RunSummary {
  std::string run_id;
  uint64_t jobs = 0;
  std::vector<JobResult> results;  // one per job, counted once, in job order
  std::vector<std::string> missing;  // jobs without a result yet
};

// Puts one job per site capture on the queue and (with wait) gathers the results.
Result<RunSummary> SubmitRun(const SubmitRequest& request, const std::function<void(const RunSummary&)>& progress);
// The results of an earlier run, as far as they are in.
Result<RunSummary> RunResults(const NatsSpec& nats, const std::string& run_id, int wait_ms);

struct WorkerRequest {
  NatsSpec nats;
  std::string name;       // in each result
  int ack_wait_ms = 60'000;  // a job not acknowledged this long goes to another worker
  int idle_exit_ms = -1;     // stop after this long without a job
  std::function<bool()> stop;
};

struct WorkerSummary {
  uint64_t jobs = 0;
  uint64_t failed = 0;
};

// Pulls jobs, runs each on its log, publishes the result, then acknowledges.
Result<WorkerSummary> RunWorker(const WorkerRequest& request, const std::function<void(const JobResult&)>& done);

}  // namespace packtwin::fleet
