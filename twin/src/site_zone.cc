#include "packtwin/twin/site_zone.h"

#include "packtwin/firmware/can_v1_frames.h"
#include "packtwin/firmware/can_v1_id.h"
#include "packtwin/bus/firmware_frame.h"

namespace packtwin::twin {
namespace {
// A bridge sends TIME every minute: a log without one this early has none worth waiting for.
constexpr uint64_t kScanEvents = 1'000'000;
}  // namespace

Result<std::optional<int>> SiteUtcOffsetMin(eventlog::EventReader& reader) {
  std::optional<int> offset_min;
  uint64_t scanned = 0;
  Status walked = eventlog::ForEachEvent(reader, 0, [&](const eventlog::StoredEvent&, const v1::Event& event) -> Result<bool> {
    if (++scanned > kScanEvents) return false;
    if (!event.has_can_frame()) return true;
    const auto& stored = event.can_frame();
    const auto id = firmware::ClassifyCanV1Id(stored.id(), stored.extended(), stored.rtr(), stored.error());
    if (!id.valid || id.function != firmware::CanFunction::kTime) return true;
    const auto frame = bus::ToFirmwareFrame(stored);
    firmware::TimeFrame time;
    if (!frame || firmware::DecodeTime(*frame, &time) != firmware::DecodeStatus::kOk) return true;
    offset_min = time.utc_offset_min;
    return false;
  });
  if (!walked.ok()) return walked;
  return offset_min;
}

}  // namespace packtwin::twin
