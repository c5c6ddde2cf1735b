#pragma once
// Retrying one protocol call through network errors and 5xx answers, as the protocol
// asks: back off 0.5 s doubling to 30 s, never retry any other error. Each failed try
// logs one line (a connection problem), and the first success after failures logs
// that the server answers again. Thread-safe as far as `attempt` is.
#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <string_view>
#include <type_traits>

#include "genq/core/error.hpp"
#include "genq/runner/backoff.hpp"
#include "genq/runner/cancel_token.hpp"
#include "genq/runner/worker_api.hpp"

namespace genq::runner {

struct RetryLimits {
  // Gives up (returning the last error) once this passes; nullopt retries until stop.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  Backoff backoff;
};

// Calls `attempt` (returning a Result or Status) until it succeeds, fails with an
// error that is not retryable, `stop` is cancelled, or the deadline passes; returns
// the last answer. `what` names the call in log lines ("claim", "job 9b0c… upload").
template <class Attempt>
std::invoke_result_t<Attempt&> call_with_retry(std::string_view what, const CancelToken& stop,
                                               Attempt&& attempt, RetryLimits limits = {}) {
  for (;;) {
    auto answer = attempt();
    if (answer) {
      if (limits.backoff.failures() > 0) {
        spdlog::info("{}: server answers again", what);
      }
      return answer;
    }
    if (!is_retryable(answer.error()) || stop.cancelled()) {
      return answer;
    }
    const auto delay = limits.backoff.next();
    if (limits.deadline && std::chrono::steady_clock::now() + delay > *limits.deadline) {
      spdlog::warn("{}: {}; giving up", what, answer.error().message);
      return answer;
    }
    spdlog::warn("{}: {}; retrying in {:.1f} s", what, answer.error().message,
                 std::chrono::duration<double>(delay).count());
    if (stop.wait_for(delay)) {
      return answer;
    }
  }
}

}  // namespace genq::runner
