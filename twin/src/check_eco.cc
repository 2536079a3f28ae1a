// Rule `eco-oscillation` (pack-behaviour.md: Functions, Eco): a load Eco shed
// stays shed at least 30 s (less jitter) unless the pack reboots.
#include <fmt/format.h>

#include <array>
#include <map>

#include "check_family.h"
#include "packtwin/firmware/decision.h"
#include "packtwin/firmware/protocol_v1.h"
#include "packtwin/twin/names.h"

namespace packtwin::twin::check {
namespace {

// The firmware's hold (decision.h), less half a second of jitter.
constexpr int64_t kEcoHoldNs = static_cast<int64_t>(firmware::kEcoHoldMs) * kNsPerMs - 500 * kNsPerMs;

class EcoFamily : public CheckFamily {
 public:
  explicit EcoFamily(CheckContext& context) : context_(context) {}

  void OnEvent(const TypedEvent& typed, const TwinState& /*state*/) override {
    const auto* f = typed.As<firmware::RelayEvtFrame>();
    if (f == nullptr) return;
    Track& p = packs_[f->node];
    const int64_t now = typed.wall_ns;
    if (!f->closed && f->cause == static_cast<uint8_t>(firmware::RelayCause::kEco)) {
      p.shed[f->relay] = true;
      p.shed_ns[f->relay] = now;
      p.shed_seq[f->relay] = typed.seq;
      return;
    }
    if (!f->closed || !p.shed[f->relay]) return;
    p.shed[f->relay] = false;
    if (now - p.shed_ns[f->relay] < kEcoHoldNs && f->cause != static_cast<uint8_t>(firmware::RelayCause::kBoot)) {
      context_.flag(now, f->node, "eco-oscillation", fmt::format("{} stays shed at least 30 s", RelayName(f->relay)),
                    fmt::format("{} restored {} ms after it was shed", RelayName(f->relay),
                                (now - p.shed_ns[f->relay]) / kNsPerMs),
                    {p.shed_seq[f->relay], typed.seq});
    }
  }

 private:
  struct Track {  // per relay
    std::array<int64_t, 4> shed_ns{};
    std::array<uint64_t, 4> shed_seq{};
    std::array<bool, 4> shed{};
  };
  CheckContext& context_;
  std::map<uint8_t, Track> packs_;
};

}  // namespace

std::unique_ptr<CheckFamily> MakeEcoFamily(CheckContext& context) { return std::make_unique<EcoFamily>(context); }

}  // namespace packtwin::twin::check
