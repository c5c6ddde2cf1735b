// The blocking twins of the asynchronous job transitions: each starts the call and
// waits for its answer.
#include "genq/store/job_store.hpp"

#include <future>
#include <memory>

namespace genq {
namespace {

template <class T, class Start>
Result<T> wait_for(Start start) {
  // Shared with the callback, so the answer can be set while this thread, woken by
  // it, already returns.
  auto promise = std::make_shared<std::promise<Result<T>>>();
  std::future<Result<T>> answer = promise->get_future();
  start([promise](Result<T> result) { promise->set_value(std::move(result)); });
  return answer.get();
}

}  // namespace

Result<SubmitOutcome> JobStore::submit(const NewJob& job) {
  return wait_for<SubmitOutcome>([&](StoreDone<SubmitOutcome> done) { submit(NewJob(job), std::move(done)); });
}

Result<std::vector<Lease>> JobStore::claim(const ClaimRequest& request) {
  return wait_for<std::vector<Lease>>(
      [&](StoreDone<std::vector<Lease>> done) { claim(ClaimRequest(request), std::move(done)); });
}

Result<TimePoint> JobStore::heartbeat(const LeaseRef& lease, Millis extend) {
  return wait_for<TimePoint>([&](StoreDone<TimePoint> done) { heartbeat(LeaseRef(lease), extend, std::move(done)); });
}

Result<Job> JobStore::progress(const LeaseRef& lease, double value, std::optional<std::string> preview_jpeg,
                               Millis extend) {
  return wait_for<Job>([&](StoreDone<Job> done) {
    progress(LeaseRef(lease), value, std::move(preview_jpeg), extend, std::move(done));
  });
}

Result<Job> JobStore::complete(const LeaseRef& lease, const JobResult& result) {
  return wait_for<Job>([&](StoreDone<Job> done) { complete(LeaseRef(lease), JobResult(result), std::move(done)); });
}

Result<Job> JobStore::record_upload(const LeaseRef& lease, const std::string& key, const std::string& mime) {
  return wait_for<Job>([&](StoreDone<Job> done) { record_upload(LeaseRef(lease), key, mime, std::move(done)); });
}

Result<Job> JobStore::release(const LeaseRef& lease) {
  return wait_for<Job>([&](StoreDone<Job> done) { release(LeaseRef(lease), std::move(done)); });
}

Result<Job> JobStore::fail(const LeaseRef& lease, const std::string& message, bool retryable,
                           std::string_view error_code, std::string_view detail) {
  return wait_for<Job>([&](StoreDone<Job> done) {
    fail(LeaseRef(lease), message, retryable, std::string(error_code), std::string(detail), std::move(done));
  });
}

Result<Job> JobStore::cancel(const std::string& job_id, const std::string& client_id) {
  return wait_for<Job>([&](StoreDone<Job> done) { cancel(job_id, client_id, std::move(done)); });
}

Result<Job> JobStore::retry(const std::string& job_id, const std::string& client_id) {
  return wait_for<Job>([&](StoreDone<Job> done) { retry(job_id, client_id, std::move(done)); });
}

Result<std::vector<Job>> JobStore::purge_pending(const PurgeRequest& request) {
  return wait_for<std::vector<Job>>([&](StoreDone<std::vector<Job>> done) { purge_pending(request, std::move(done)); });
}

}  // namespace genq
