#include <fmt/format.h>

#include <map>

#include "export_sink.h"
#include "packtwin/base/time_spec.h"

namespace packtwin::eventlog {
namespace {

// One row per node and moment: the pack's latest value of every column.
class CsvSink : public Sink {
 public:
  CsvSink(std::ostream& out, CsvColumns columns) : out_(out), columns_(std::move(columns)) {
    for (size_t i = 0; i < columns_.names.size(); ++i) index_[columns_.names[i]] = i;
  }

  void Begin(int64_t first_wall_ns) override {
    start_ns_ = first_wall_ns;
    next_tick_ns_ = first_wall_ns;
    out_ << "time_utc,time_s,node";
    for (const auto& name : columns_.names) out_ << ',' << name;
    out_ << '\n';
  }

  bool Write(const v1::Event& event) override {
    if (columns_.every_ns > 0) Tick(event.wall_time_ns());
    if (!event.has_can_frame() || !columns_.describe) return false;
    nlohmann::ordered_json described = nlohmann::ordered_json::object();
    columns_.describe(event, described);
    if (!described.contains("signals") || !described.contains("node")) return false;
    // Frames without a column (HEARTBEAT, TIME, COMMAND...) make no row: the bridge is no pack.
    bool has_column = false;
    for (const auto& [name, value] : described["signals"].items()) has_column = has_column || index_.contains(name);
    if (!has_column) return false;
    std::vector<std::string>& row = Row(described["node"].get<uint32_t>());
    bool changed = false;
    for (const auto& [name, value] : described["signals"].items()) {
      auto column = index_.find(name);
      if (column == index_.end()) continue;
      std::string text = value.dump();
      if (row[column->second] != text) {
        row[column->second] = std::move(text);
        changed = true;
      }
    }
    if (changed && columns_.every_ns == 0) Emit(event.wall_time_ns(), described["node"].get<uint32_t>());
    return true;
  }

 private:
  std::vector<std::string>& Row(uint32_t node) { return rows_.try_emplace(node, columns_.names.size()).first->second; }

  // --every: a row per node seen so far at each tick up to `now_ns`.
  void Tick(int64_t now_ns) {
    while (next_tick_ns_ <= now_ns) {
      for (const auto& [node, row] : rows_) Emit(next_tick_ns_, node);
      if (next_tick_ns_ > INT64_MAX - columns_.every_ns) break;
      next_tick_ns_ += columns_.every_ns;
    }
  }

  void Emit(int64_t at_ns, uint32_t node) {
    out_ << FormatUtc(at_ns) << ',' << fmt::format("{:.6f}", static_cast<double>(at_ns - start_ns_) / 1e9) << ','
         << fmt::format("0x{:02X}", node);
    for (const auto& value : rows_[node]) out_ << ',' << value;
    out_ << '\n';
  }

  std::ostream& out_;
  CsvColumns columns_;
  std::map<std::string, size_t> index_;
  std::map<uint32_t, std::vector<std::string>> rows_;
  int64_t start_ns_ = 0;
  int64_t next_tick_ns_ = 0;
};

}  // namespace

std::unique_ptr<Sink> MakeCsvSink(std::ostream& out, CsvColumns columns) {
  return std::make_unique<CsvSink>(out, std::move(columns));
}

}  // namespace packtwin::eventlog
