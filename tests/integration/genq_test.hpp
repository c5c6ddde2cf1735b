#pragma once
// Shared by the integration tests: where the genq binary and the catalog are, and a
// fixture that starts a fresh server (its own data directory, port 0) with one client
// for every test. Only integration test files include this (GENQ_BINARY and
// GENQ_SOURCE_DIR are their compile definitions).
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/genq_server.hpp"
#include "support/http_client.hpp"
#include "support/job_requests.hpp"
#include "support/job_status.hpp"
#include "support/manual_worker.hpp"
#include "support/media.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace genq::testing {

using namespace std::chrono_literals;

// Long enough for a loaded 2-core CI box; a passing run takes a fraction of it.
inline constexpr std::chrono::milliseconds kJobDeadline = 30s;

inline std::string catalog_path() { return GENQ_SOURCE_DIR "/config/models.json"; }

inline ServerOptions server_options(std::vector<std::string> args = {}, EnvVars env = {}) {
  ServerOptions options;
  options.binary = GENQ_BINARY;
  options.args = std::move(args);
  options.env = std::move(env);
  return options;
}

// Gives every test a running server, a client with its API key, a request factory
// over the shipped catalog and a scratch directory. Fixtures that need other server
// flags override server_args().
class GenqTest : public ::testing::Test {
 protected:
  virtual std::vector<std::string> server_args() const { return {}; }

  void SetUp() override {
    scratch_ = std::make_unique<TempDir>("genq-scratch");
    requests_ = std::make_unique<RequestFactory>(catalog_path(), *scratch_);
    server_ = std::make_unique<GenqServer>(server_options(server_args()));
    client_ = server_->create_client("primary");
  }

  void TearDown() override {
    if (HasFailure() && server_) {
      const std::string logs = server_->logs();
      constexpr std::size_t kTail = 6000;
      std::cerr << "--- genq serve output (tail) ---\n"
                << (logs.size() > kTail ? logs.substr(logs.size() - kTail) : logs) << "\n";
    }
  }

  GenqServer& server() { return *server_; }
  const GenqServer& server() const { return *server_; }
  const RequestFactory& requests() const { return *requests_; }
  const TempDir& scratch() const { return *scratch_; }
  const ClientCredentials& client() const { return client_; }
  // The primary client's API, authenticated.
  HttpClient api() const { return server_->client_http(client_); }

  // Submits and returns the request_id; throws (failing the test) on a non-200.
  std::string submit(const JobRequest& request, const Headers& headers = {}) const {
    return request_id_of(request.submit(api(), headers));
  }

  // A worker that drives the protocol by hand, with a token for `models` (all if empty).
  ManualWorker manual_worker(const std::vector<std::string>& models = {}) const {
    return ManualWorker(server_->http(), server_->create_worker_token(models));
  }

  std::optional<boost::json::object> status_of(const std::string& id) const {
    return read_status(api(), id);
  }

  // Claims job `id` with a hand-driven worker and finishes it (uploading a result of
  // the right kind); returns the status once done. Fails the test otherwise.
  boost::json::object finish_by_hand(const std::string& id) const {
    const ManualWorker worker = manual_worker();
    const auto job = worker.claim_job(id, kJobDeadline);
    if (!job) {
      ADD_FAILURE() << "job " << id << " was never claimable";
      return {};
    }
    const auto finished = worker.finish(*job);
    EXPECT_EQ(finished.status, 200) << finished.describe();
    const auto done = poll_status(api(), id, status_is("done"), kJobDeadline);
    if (!done) {
      ADD_FAILURE() << "job " << id << " not done after complete";
      return {};
    }
    return *done;
  }

  catalog::OutputKind output_of(std::string_view task) const {
    return requests_->catalog().find_task(task)->output;
  }

 private:
  std::unique_ptr<TempDir> scratch_;
  std::unique_ptr<RequestFactory> requests_;
  std::unique_ptr<GenqServer> server_;
  ClientCredentials client_;
};

}  // namespace genq::testing
