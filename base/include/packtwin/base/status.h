// Status and Result<T>: errors from the environment and from untrusted input
// travel as values, never as exceptions (LevelDB / Envoy style).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace packtwin {

// What kind of failure, so callers decide without reading messages.
enum class StatusCode {
  kOk,
  kInvalidArgument,  // input or options that do not parse or make no sense
  kNotFound,         // a file, device, interface or record that is not there
  kIoError,          // the operating system or SQLite failed to read or write
  kCorruption,       // a log whose contents or chain do not hold (exit 2)
  kClosed,           // the other end (a peer, the log) is closed: not a failure of ours
  kFailed,           // the operation ran and did not succeed (a rule broken, nothing run)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message) { return Status(std::move(message), StatusCode::kInvalidArgument); }
  static Status NotFound(std::string message) { return Status(std::move(message), StatusCode::kNotFound); }
  static Status IoError(std::string message) { return Status(std::move(message), StatusCode::kIoError); }
  static Status Corruption(std::string message) { return Status(std::move(message), StatusCode::kCorruption); }
  static Status Closed(std::string message) { return Status(std::move(message), StatusCode::kClosed); }
  static Status Failed(std::string message) { return Status(std::move(message), StatusCode::kFailed); }

  bool ok() const { return !message_.has_value(); }
  StatusCode code() const { return ok() ? StatusCode::kOk : code_; }
  bool IsCorruption() const { return code() == StatusCode::kCorruption; }
  bool IsClosed() const { return code() == StatusCode::kClosed; }
  const std::string& message() const {
    assert(!ok());
    return *message_;
  }
  // Prefixes context ("site.db: ") to an error; an ok status stays ok.
  Status Context(const std::string& prefix) const {
    if (ok()) return *this;
    // Appended, not prefix + message: g++ 12 warns falsely (-Warray-bounds)
    // on that once inlined with constant strings.
    std::string text;
    text.reserve(prefix.size() + message_->size());
    text.append(prefix).append(*message_);
    return Status(std::move(text), code_);
  }

 private:
  Status(std::string message, StatusCode code) : message_(std::move(message)), code_(code) {}
  std::optional<std::string> message_;
  StatusCode code_ = StatusCode::kOk;
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
