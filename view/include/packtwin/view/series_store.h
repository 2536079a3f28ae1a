// The packs' telemetry of a log as time series in memory, one per node and
// signal (every TEL_BATT, TEL_POWER and TEL_LOADS signal the firmware decodes),
// and the reduction a plot needs: at most so many points for a time range,
// the minimum and maximum of each bucket when there are more samples.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "packtwin/base/status.h"

namespace packtwin::view {

struct Series {
  std::vector<int64_t> t_ns;
  std::vector<double> value;
};

struct SignalInfo {
  std::string name;  // units last: "soc_pct"
  std::string unit;
};

// Up to `buckets` buckets over [from_ns, to_ns): each sample as it is when the
// range holds no more than that, else each bucket's first time, min and max.
struct Reduced {
  uint64_t samples = 0;  // samples in the range
  std::vector<int64_t> t_ns;
  std::vector<double> min;
  std::vector<double> max;
};

class SeriesStore {
 public:
  static Result<SeriesStore> Load(const std::string& db);

  const std::string& site() const { return site_; }
  int64_t first_ns() const { return first_ns_; }
  int64_t last_ns() const { return last_ns_; }
  uint64_t events() const { return events_; }
  std::vector<uint32_t> Nodes() const;
  const std::vector<SignalInfo>& signals() const { return signals_; }
  // nullptr when the node never sent the signal.
  const Series* Find(uint32_t node, const std::string& signal) const;
  // Runs of events (first seq -> last) that failed their record checks:
  // left out, as every command leaves out located damage and names it.
  const std::map<uint64_t, uint64_t>& damaged() const { return damaged_; }

 private:
  std::string site_;
  int64_t first_ns_ = 0;
  int64_t last_ns_ = 0;
  uint64_t events_ = 0;
  std::vector<SignalInfo> signals_;
  std::map<std::pair<uint32_t, std::string>, Series> series_;
  std::map<uint64_t, uint64_t> damaged_;
};

Reduced Reduce(const Series& series, int64_t from_ns, int64_t to_ns, size_t buckets);

}  // namespace packtwin::view
