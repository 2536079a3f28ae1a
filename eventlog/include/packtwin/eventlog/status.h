// Status and Result<T>: errors from the environment and from untrusted input
// travel as values, never as exceptions (LevelDB / Envoy style).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace packtwin {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return !message_.has_value(); }
  const std::string& message() const {
    assert(!ok());
    return *message_;
  }
  // Prefixes context ("site.db: ") to an error; an ok status stays ok.
  Status Context(const std::string& prefix) const {
    return ok() ? *this : Status(prefix + *message_);
  }

 private:
  explicit Status(std::string message) : message_(std::move(message)) {}
  std::optional<std::string> message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() {
    assert(ok());
    return *value_;
  }
  const T& value() const {
    assert(ok());
    return *value_;
  }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace packtwin

// Returns early with the error of a Status-returning expression.
#define PACKTWIN_RETURN_IF_ERROR(expr)          \
  do {                                          \
    ::packtwin::Status packtwin_status_ = (expr); \
    if (!packtwin_status_.ok()) return packtwin_status_; \
  } while (false)
