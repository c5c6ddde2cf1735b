#pragma once
// The "http" backend: forwards a job to an inference server on the worker's machine
// (or network), configured per model in the catalog (http_config.cpp). POSTs one
// JSON body per job, polls an optional progress URL on a thread of its own while
// the request runs, and takes the answer as the output file (image/audio/video) or
// the inline result (text/json). Cancellation and a lost lease abort the request
// (closing the connection is all the inference server learns). One instance per
// model; immutable, so thread-safe.
#include "genq/runner/backends/backend.hpp"
#include "genq/runner/backends/http_config.hpp"

namespace genq::runner {

class HttpBackend final : public Backend {
 public:
  explicit HttpBackend(HttpConfig config) : config_(std::move(config)) {}

  Result<Output> run(const JobSpec& job, ProgressSink& progress, const std::atomic<bool>& cancelled) override;

 private:
  Result<boost::json::value> build_body(const JobSpec& job) const;

  const HttpConfig config_;
};

}  // namespace genq::runner
