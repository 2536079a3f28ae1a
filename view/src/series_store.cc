#include "packtwin/view/series_store.h"

#include <algorithm>

#include "packtwin/eventlog/event_reader.h"
#include "packtwin/eventlog/store_format.h"
#include "packtwin/firmware/can_v1_signals.h"
#include "packtwin/twin/typed_event.h"

namespace packtwin::view {
namespace {

constexpr firmware::CanFunction kTelemetry[] = {firmware::CanFunction::kTelBatt, firmware::CanFunction::kTelPower,
                                                firmware::CanFunction::kTelLoads};

bool IsTelemetry(firmware::CanFunction function) {
  return std::find(std::begin(kTelemetry), std::end(kTelemetry), function) != std::end(kTelemetry);
}

double Physical(const firmware::SignalSpec& signal, int64_t raw) {
  return static_cast<double>(raw * signal.scale_num) / signal.scale_den;
}

}  // namespace

Result<SeriesStore> SeriesStore::Load(const std::string& db) {
  auto reader = eventlog::EventReader::Open(db);
  if (!reader.ok()) return reader.status();
  SeriesStore store;
  auto meta = (*reader)->Meta();
  if (!meta.ok()) return meta.status();
  if (auto site = meta->find(eventlog::meta_key::kSite); site != meta->end()) store.site_ = site->second;
  auto counts = (*reader)->Counts();
  if (!counts.ok()) return counts.status();
  store.first_ns_ = counts->first_wall_ns;
  store.last_ns_ = counts->last_wall_ns;
  store.events_ = counts->events;
  for (firmware::CanFunction function : kTelemetry) {
    const firmware::FrameSpec* spec = firmware::CanV1FrameSpec(function);
    for (uint8_t i = 0; spec != nullptr && i < spec->signal_count; ++i) {
      store.signals_.push_back({spec->signals[i].name, spec->signals[i].unit});
    }
  }
  auto cursor = (*reader)->FromSeq(0);
  if (!cursor.ok()) return cursor.status();
  eventlog::StoredEvent row;
  v1::Event event;
  // Each node's frame kind's series, found once (not a map lookup per signal per frame).
  std::map<std::pair<uint32_t, int>, std::vector<Series*>> targets;
  // Once an eighth of the log is read, every series is given room for the
  // whole log at the rate so far: vectors doubling their way up were 70 % of
  // a week's load (copies, and page faults on each new block). At most about
  // 8 times what was read: a log's counts cannot make it reserve more.
  const uint64_t span = counts->events == 0 ? 0 : counts->last_seq - counts->first_seq + 1;
  const uint64_t sized_at_seq = counts->first_seq + span / 8;
  bool sized = false;
  while (true) {
    auto more = (*cursor)->Next(&row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (!sized && row.seq >= sized_at_seq && span >= 8 * 4096) {
      sized = true;
      const uint64_t read = row.seq - counts->first_seq + 1;
      for (auto& [key, series] : store.series_) {
        const size_t expected = static_cast<size_t>(series.t_ns.size() * span / read + series.t_ns.size() / 16 + 64);
        series.t_ns.reserve(expected);
        series.value.reserve(expected);
      }
    }
    // Located damage: nothing of it is known. Only CAN frames carry telemetry.
    if (row.damaged) eventlog::AddSeqToRuns(&store.damaged_, row.seq);
    if (row.damaged || row.kind != v1::Event::kCanFrame) continue;
    if (Status decoded = eventlog::DecodeEventInto(row, &event); !decoded.ok()) return decoded;
    if (!event.has_can_frame()) continue;
    // Decoded once by the firmware's own decoder; the table names the fields.
    const twin::TypedEvent typed = twin::TypeEvent(event);
    if (!typed.frame || !typed.id.valid || typed.status != firmware::DecodeStatus::kOk || !IsTelemetry(typed.id.function)) {
      continue;
    }
    const firmware::FrameSpec* spec = firmware::CanV1FrameSpec(typed.id.function);
    std::vector<Series*>& slots = targets[{typed.id.node, static_cast<int>(typed.id.function)}];
    if (slots.empty()) {
      for (uint8_t i = 0; i < spec->signal_count; ++i) slots.push_back(&store.series_[{typed.id.node, spec->signals[i].name}]);
    }
    for (uint8_t i = 0; i < spec->signal_count; ++i) {
      int64_t raw = 0;
      if (!firmware::SignalRaw(spec->signals[i], *typed.frame, &raw)) continue;
      slots[i]->t_ns.push_back(event.wall_time_ns());
      slots[i]->value.push_back(Physical(spec->signals[i], raw));
    }
  }
  return store;
}

std::vector<uint32_t> SeriesStore::Nodes() const {
  std::vector<uint32_t> nodes;
  for (const auto& [key, series] : series_) {
    if (nodes.empty() || nodes.back() != key.first) nodes.push_back(key.first);
  }
  return nodes;
}

const Series* SeriesStore::Find(uint32_t node, const std::string& signal) const {
  auto found = series_.find({node, signal});
  return found == series_.end() ? nullptr : &found->second;
}

Reduced Reduce(const Series& series, int64_t from_ns, int64_t to_ns, size_t buckets) {
  Reduced out;
  const auto begin = std::lower_bound(series.t_ns.begin(), series.t_ns.end(), from_ns);
  const auto end = std::lower_bound(series.t_ns.begin(), series.t_ns.end(), to_ns);
  const size_t first = static_cast<size_t>(begin - series.t_ns.begin());
  const size_t last = static_cast<size_t>(end - series.t_ns.begin());
  out.samples = last - first;
  if (buckets == 0 || to_ns <= from_ns) return out;
  if (out.samples <= buckets) {
    out.t_ns.assign(begin, end);
    out.min.assign(series.value.begin() + static_cast<std::ptrdiff_t>(first), series.value.begin() + static_cast<std::ptrdiff_t>(last));
    out.max = out.min;
    return out;
  }
  // Integer bucket width: the same sample always falls in the same bucket.
  const int64_t width_ns = std::max<int64_t>(1, (to_ns - from_ns) / static_cast<int64_t>(buckets) + 1);
  int64_t bucket = -1;
  for (size_t i = first; i < last; ++i) {
    const int64_t b = (series.t_ns[i] - from_ns) / width_ns;
    const double v = series.value[i];
    if (b != bucket) {
      bucket = b;
      out.t_ns.push_back(series.t_ns[i]);
      out.min.push_back(v);
      out.max.push_back(v);
    } else {
      out.min.back() = std::min(out.min.back(), v);
      out.max.back() = std::max(out.max.back(), v);
    }
  }
  return out;
}

}  // namespace packtwin::view
