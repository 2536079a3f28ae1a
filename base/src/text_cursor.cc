#include "packtwin/base/text_cursor.h"

#include <fmt/format.h>

namespace packtwin {
namespace {
constexpr size_t kFoundMaxChars = 16;
}

std::string ParseError::Describe() const {
  return fmt::format("column {}: expected {}, found {}", column, expected, found);
}

bool TextCursor::Consume(std::string_view word) {
  if (text_.substr(pos_).substr(0, word.size()) != word) return false;
  pos_ += word.size();
  return true;
}

size_t TextCursor::SkipSpaces() {
  const size_t start = pos_;
  while (!AtEnd() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  return pos_ - start;
}

std::string_view TextCursor::Token() {
  const size_t start = pos_;
  while (!AtEnd() && text_[pos_] != ' ' && text_[pos_] != '\t') ++pos_;
  return text_.substr(start, pos_ - start);
}

std::optional<uint64_t> TextCursor::Decimal(size_t max_digits, size_t* digits_read) {
  constexpr uint64_t kLimit = UINT64_MAX / 10 - 9;
  uint64_t value = 0;
  size_t digits = 0;
  while (digits < max_digits && !AtEnd() && text_[pos_] >= '0' && text_[pos_] <= '9') {
    if (value > kLimit) return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(text_[pos_] - '0');
    ++pos_;
    ++digits;
  }
  if (digits_read != nullptr) *digits_read = digits;
  if (digits == 0) return std::nullopt;
  return value;
}

ParseError TextCursor::ErrorAt(size_t pos, std::string expected) const {
  ParseError error;
  error.column = pos + 1;
  error.expected = std::move(expected);
  if (pos >= text_.size()) {
    error.found = "end of line";
  } else {
    // Control bytes are shown escaped: a binary file must not garble the terminal.
    std::string shown;
    for (char c : text_.substr(pos, kFoundMaxChars)) {
      const auto byte = static_cast<unsigned char>(c);
      shown += (byte < 0x20 || byte == 0x7F) ? fmt::format("\\x{:02X}", byte) : std::string(1, c);
    }
    error.found = fmt::format("'{}'", shown);
  }
  return error;
}

}  // namespace packtwin
