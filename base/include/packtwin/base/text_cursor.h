// A bounds-checked scanner over one line of untrusted text. Every read checks
// the limit; a failed expectation yields a ParseError naming the 1-based
// column, what was expected and what was found there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace packtwin {

struct ParseError {
  size_t column = 0;      // 1-based
  std::string expected;   // "a hex digit", "')'", ...
  std::string found;      // the text at that column, shortened; "end of line"

  // "column 12: expected a hex digit, found 'G1'"
  std::string Describe() const;
};

// The value of one hex digit; nullopt for any other byte. Inline: the
// candump and slcan readers call it for every character.
inline std::optional<uint32_t> HexValue(char c) {
  if (c >= '0' && c <= '9') return static_cast<uint32_t>(c - '0');
  if (c >= 'A' && c <= 'F') return static_cast<uint32_t>(c - 'A' + 10);
  if (c >= 'a' && c <= 'f') return static_cast<uint32_t>(c - 'a' + 10);
  return std::nullopt;
}

class TextCursor {
 public:
  explicit TextCursor(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  size_t position() const { return pos_; }
  void Seek(size_t pos) { pos_ = pos < text_.size() ? pos : text_.size(); }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  std::string_view Rest() const { return text_.substr(pos_); }
  void Advance(size_t n = 1) { Seek(pos_ + n); }

  bool Consume(char c) {
    if (AtEnd() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool Consume(std::string_view word);
  size_t SkipSpaces();  // spaces and tabs; returns how many
  // Reads up to the next space, tab or the end.
  std::string_view Token();
  // Reads one hex digit; nullopt (cursor unmoved) when there is none.
  std::optional<uint32_t> HexDigit() {
    if (AtEnd()) return std::nullopt;
    auto value = HexValue(text_[pos_]);
    if (value) ++pos_;
    return value;
  }
  // Reads 1..max_digits decimal digits as an unsigned value without overflow.
  std::optional<uint64_t> Decimal(size_t max_digits, size_t* digits_read = nullptr);

  // An error at the current position.
  ParseError Error(std::string expected) const { return ErrorAt(pos_, std::move(expected)); }
  ParseError ErrorAt(size_t pos, std::string expected) const;

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace packtwin
