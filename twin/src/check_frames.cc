// Rule `telemetry-wrong-length` (can-protocol.md: frame table): TEL frames are
// 8 bytes; a pack sending others is flagged once per node and frame kind.
#include <fmt/format.h>

#include <array>
#include <map>

#include "check_family.h"

namespace packtwin::twin::check {
namespace {

class FramesFamily : public CheckFamily {
 public:
  explicit FramesFamily(CheckContext& context) : context_(context) {}

  void OnEvent(const TypedEvent& typed, const TwinState& /*state*/) override {
    if (!typed.frame || !typed.id.valid) return;
    const auto function = typed.id.function;
    const bool telemetry = function == firmware::CanFunction::kTelBatt || function == firmware::CanFunction::kTelPower ||
                           function == firmware::CanFunction::kTelLoads;
    if (!telemetry || typed.frame->len == 8) return;
    auto& flagged = flagged_[typed.id.node][static_cast<uint8_t>(function)];
    if (flagged) return;
    flagged = true;
    context_.flag(typed.wall_ns, typed.id.node, "telemetry-wrong-length", "8-byte telemetry frames",
                  fmt::format("a {}-byte frame with id 0x{:03X}", typed.frame->len, typed.frame->id), {typed.seq});
  }

 private:
  CheckContext& context_;
  std::map<uint8_t, std::array<bool, 9>> flagged_;  // node -> by CAN function (TEL functions are 3..5)
};

}  // namespace

std::unique_ptr<CheckFamily> MakeFramesFamily(CheckContext& context) { return std::make_unique<FramesFamily>(context); }

}  // namespace packtwin::twin::check
