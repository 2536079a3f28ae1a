// Whether untrusted bytes are well-formed UTF-8 (no overlong forms, no
// surrogates, nothing past U+10FFFF).
#pragma once

#include <cstddef>
#include <string_view>

namespace packtwin {

// The offset of the first byte that is not well-formed UTF-8, or npos.
size_t FirstBadUtf8(std::string_view text);

}  // namespace packtwin
