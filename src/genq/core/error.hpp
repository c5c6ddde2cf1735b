#pragma once
// Errors as values across module boundaries: every store, bus, blob and service call
// returns a Result<T>; the kind decides the HTTP status, the message is for humans.
#include <expected>
#include <string>
#include <utility>

namespace genq {

enum class ErrorKind {
  NotFound,     // no such thing (or not visible to the caller)
  Invalid,      // the caller's input is wrong
  Conflict,     // a state precondition failed (lease lost, already final, key reused)
  Unavailable,  // a dependency is down or busy; retrying may help
  Forbidden,    // authenticated but not allowed
  Exhausted,    // a cap the operator set is reached (queued jobs); retry once below it
  Internal,     // a bug or an unexpected failure
};

struct Error {
  ErrorKind kind = ErrorKind::Internal;
  std::string message;

  static Error not_found(std::string m) { return {ErrorKind::NotFound, std::move(m)}; }
  static Error invalid(std::string m) { return {ErrorKind::Invalid, std::move(m)}; }
  static Error conflict(std::string m) { return {ErrorKind::Conflict, std::move(m)}; }
  static Error unavailable(std::string m) { return {ErrorKind::Unavailable, std::move(m)}; }
  static Error forbidden(std::string m) { return {ErrorKind::Forbidden, std::move(m)}; }
  static Error exhausted(std::string m) { return {ErrorKind::Exhausted, std::move(m)}; }
  static Error internal(std::string m) { return {ErrorKind::Internal, std::move(m)}; }
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }

}  // namespace genq
