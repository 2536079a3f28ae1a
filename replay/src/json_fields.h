// Strict reading of a JSON document written by people: every key must be
// known, every value of the right type and range, and the first mistake is
// reported with its JSON path ("$.site.packs[1].serial: expected ..."). No
// exceptions escape: a failed read records the error and returns nothing.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace packtwin::replay {

class JsonFields {
 public:
  // `error` collects the first mistake; it outlives every JsonFields made from this one.
  JsonFields(const nlohmann::json& value, std::string path, std::string* error);

  const std::string& path() const { return path_; }
  const nlohmann::json& value() const { return value_; }
  bool ok() const { return error_->empty(); }
  bool Has(const char* key) const;
  std::string KeyPath(const std::string& key) const;

  bool ExpectObject(std::initializer_list<const char*> allowed_keys);
  void Fail(const std::string& path, const std::string& message);

  std::optional<std::string> String(const char* key, bool required);
  std::optional<int64_t> Int(const char* key, int64_t lo, int64_t hi, bool required);
  std::optional<bool> Bool(const char* key, bool required);
  // "90s", "1m30s", "500ms", "2h", "-3h": a signed duration in ms.
  std::optional<int64_t> Duration(const char* key, bool required);
  // "2026-11-21T04:00:00Z": Unix seconds.
  std::optional<int64_t> UtcSeconds(const char* key, bool required);
  // The member as its own JsonFields (an object or array is checked by the caller).
  std::optional<JsonFields> Member(const char* key, bool required);
  std::optional<JsonFields> Array(const char* key, bool required);
  JsonFields Element(size_t index) const;

 private:
  // The member, or nullptr (a missing required one is reported).
  const nlohmann::json* Find(const char* key, bool required);

  const nlohmann::json& value_;
  std::string path_;
  std::string* error_;
};

std::string JsonTypeName(const nlohmann::json& value);

}  // namespace packtwin::replay
