// What the first bytes of a Modbus RTU frame say about its length and role,
// by the length rules of the Modbus application protocol (v1.1b3, section 6)
// for every public function code. A passive tap cannot ask which frame is a
// request: the function code and the counts inside the frame tell it.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace packtwin::recorder {

// The largest RTU frame: address, 253 bytes of PDU, CRC.
constexpr size_t kMaxRtuFrameBytes = 256;

enum class RtuRole : uint8_t { kRequest = 1, kReply = 2, kEither = 3 };

struct RtuShape {
  size_t length = 0;  // whole frame: address, PDU and CRC
  RtuRole role = RtuRole::kEither;
};

// At most three shapes fit one function (a request, a reply, an exception
// reply): fixed storage, as the splitter asks for shapes at every byte offset.
class RtuShapeList {
 public:
  static constexpr size_t kCapacity = 4;
  void push_back(RtuShape shape) {
    assert(count_ < kCapacity && "no function has more than three frame shapes");
    items_[count_++] = shape;
  }
  const RtuShape* begin() const { return items_.data(); }
  const RtuShape* end() const { return items_.data() + count_; }
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  const RtuShape& operator[](size_t i) const { return items_[i]; }

 private:
  std::array<RtuShape, kCapacity> items_{};
  size_t count_ = 0;
};

struct RtuShapes {
  RtuShapeList shapes;
  // A length depends on bytes not seen yet (a count field still to arrive).
  bool need_more = false;
  // The frame may be longer than every shape above (user-defined codes
  // 65-72 and 100-110,
  // diagnostics echoing their data, MEI types other than 14): only silence
  // and the CRC end it.
  bool open_ended = false;
};

RtuShapes RtuShapesOf(std::string_view head);

// Whether a whole frame can be a request and whether it can be a reply. A
// frame whose length matches no shape of an open-ended function can be both.
struct RtuRoles {
  bool request = false;
  bool reply = false;
};
RtuRoles RtuRolesOf(std::string_view frame);

}  // namespace packtwin::recorder
