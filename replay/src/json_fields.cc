#include "json_fields.h"

#include <fmt/format.h>

#include <algorithm>

#include "packtwin/base/time_spec.h"

namespace packtwin::replay {

std::string JsonTypeName(const nlohmann::json& value) {
  if (value.is_boolean()) return fmt::format("{}", value.get<bool>());
  if (value.is_number()) return fmt::format("the number {}", value.dump());
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    if (text.size() > 30) {
      // Cut in place: g++ 12 warns falsely (-Warray-bounds) on substr(...) + "...".
      text.resize(30);
      text += "...";
    }
    return fmt::format("the string \"{}\"", text);
  }
  if (value.is_null()) return "null";
  return value.is_array() ? "an array" : "an object";
}

JsonFields::JsonFields(const nlohmann::json& value, std::string path, std::string* error)
    : value_(value), path_(std::move(path)), error_(error) {}

bool JsonFields::Has(const char* key) const { return value_.is_object() && value_.contains(key); }

std::string JsonFields::KeyPath(const std::string& key) const { return path_ + "." + key; }

void JsonFields::Fail(const std::string& path, const std::string& message) {
  if (error_->empty()) *error_ = fmt::format("{}: {}", path, message);
}

bool JsonFields::ExpectObject(std::initializer_list<const char*> allowed_keys) {
  if (!value_.is_object()) {
    Fail(path_, fmt::format("expected an object, found {}", JsonTypeName(value_)));
    return false;
  }
  for (const auto& item : value_.items()) {
    const std::string& key = item.key();  // a plain reference: clang 14 cannot capture structured bindings
    const bool known = std::any_of(allowed_keys.begin(), allowed_keys.end(), [&](const char* k) { return key == k; });
    if (!known) {
      std::string list;
      for (const char* k : allowed_keys) list += fmt::format("{}{}", list.empty() ? "" : ", ", k);
      Fail(KeyPath(key), fmt::format("unknown key (known here: {})", list));
      return false;
    }
  }
  return true;
}

const nlohmann::json* JsonFields::Find(const char* key, bool required) {
  if (Has(key)) return &value_.at(key);
  if (required) Fail(path_, fmt::format("missing \"{}\"", key));
  return nullptr;
}

std::optional<std::string> JsonFields::String(const char* key, bool required) {
  const nlohmann::json* found = Find(key, required);
  if (found == nullptr) return std::nullopt;
  const auto& v = *found;
  if (!v.is_string()) {
    Fail(KeyPath(key), fmt::format("expected a string, found {}", JsonTypeName(v)));
    return std::nullopt;
  }
  return v.get<std::string>();
}

std::optional<int64_t> JsonFields::Int(const char* key, int64_t lo, int64_t hi, bool required) {
  const nlohmann::json* found = Find(key, required);
  if (found == nullptr) return std::nullopt;
  const auto& v = *found;
  if (!v.is_number_integer()) {
    Fail(KeyPath(key), fmt::format("expected an integer {}..{}, found {}", lo, hi, JsonTypeName(v)));
    return std::nullopt;
  }
  const int64_t n = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX
                                                                                                    : v.get<int64_t>();
  if (n < lo || n > hi) {
    Fail(KeyPath(key), fmt::format("{} is out of range {}..{}", n, lo, hi));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> JsonFields::Bool(const char* key, bool required) {
  const nlohmann::json* found = Find(key, required);
  if (found == nullptr) return std::nullopt;
  const auto& v = *found;
  if (!v.is_boolean()) {
    Fail(KeyPath(key), fmt::format("expected true or false, found {}", JsonTypeName(v)));
    return std::nullopt;
  }
  return v.get<bool>();
}

std::optional<int64_t> JsonFields::Duration(const char* key, bool required) {
  auto text = String(key, required);
  if (!text) return std::nullopt;
  auto ms = ParseDurationMs(*text, /*bare_seconds=*/false, /*allow_sign=*/true);
  if (!ms) Fail(KeyPath(key), fmt::format("expected a time like \"90s\", \"1m30s\", \"500ms\" or \"2h\", found \"{}\"", *text));
  return ms;
}

std::optional<int64_t> JsonFields::UtcSeconds(const char* key, bool required) {
  auto text = String(key, required);
  if (!text) return std::nullopt;
  auto spec = ParseTimeSpec(*text);
  if (std::holds_alternative<ParseError>(spec) || std::get<TimeSpec>(spec).from_start ||
      std::get<TimeSpec>(spec).time_of_day) {
    Fail(KeyPath(key), fmt::format("expected a UTC time like \"2026-11-21T04:00:00Z\", found \"{}\"", *text));
    return std::nullopt;
  }
  return std::get<TimeSpec>(spec).wall_ns / 1'000'000'000;
}

std::optional<JsonFields> JsonFields::Member(const char* key, bool required) {
  const nlohmann::json* found = Find(key, required);
  if (found == nullptr) return std::nullopt;
  return JsonFields(*found, KeyPath(key), error_);
}

std::optional<JsonFields> JsonFields::Array(const char* key, bool required) {
  auto member = Member(key, required);
  if (member && !member->value().is_array()) {
    Fail(member->path(), fmt::format("expected an array, found {}", JsonTypeName(member->value())));
    return std::nullopt;
  }
  return member;
}

JsonFields JsonFields::Element(size_t index) const {
  return JsonFields(value_.at(index), fmt::format("{}[{}]", path_, index), error_);
}

}  // namespace packtwin::replay
