#pragma once
// Turning a validated request into a stored job, shared by both dialects
// (POST /api/v1/client/{task} and POST /api/v1/generateTask/{model}): a random seed
// fixed before the job is stored, uploaded inputs put in the blob store, the
// Idempotency-Key digest, and the inputs removed again when no new job kept them.
#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "genq/api/job_deadlines.hpp"
#include "genq/api/request_body.hpp"
#include "genq/catalog/catalog.hpp"
#include "genq/core/error.hpp"
#include "genq/core/job.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

struct JobDraft {
  std::string task;
  catalog::ValidatedRequest validated;
  SubmitBody body;              // for its files and the idempotency digest
  std::string webhook_url;      // the job's own target (callback_url in the second dialect)
  std::string webhook_secret;
  std::string webhook_events;   // a JSON array; empty = the default (Job::webhook_events)
  std::string idempotency_key;  // empty = none
  std::string submit_request_id;  // the submit's X-Request-Id (Job::submit_request_id)
  Dialect dialect = Dialect::Client;
  std::optional<std::int64_t> price_nanos;  // from billed_price(); nullopt = not billed
  Priority priority = Priority::Normal;     // from read_priority(), within the client's grant
  JobDeadlines deadlines;                   // from read_deadlines()
};

// The Idempotency-Key header (empty when absent), or the 400 answer when it is
// longer than 255 characters.
std::expected<std::string, http::Response> read_idempotency_key(const http::Request& request);

// With billing on (service/billing.hpp): the catalog price the job is stored with and
// charged when done, or the answer refusing it, deAPI's 422
// {"message":"Not enough balance.","errors":{"balance":[...]}}. nullopt with billing off.
std::expected<std::optional<std::int64_t>, http::Response> billed_price(Services& services, const Client& client,
                                                                       const catalog::ValidatedRequest& request);

// Stores the job; an idempotent replay answers the earlier job (created = false).
// Exhausted (429) when the client already has its max_queued jobs waiting.
// Puts the uploaded files in the blob store first, which blocks: a draft with files
// must be created from the blocking pool. `done` runs on the store's thread.
void create_job(Services& services, const Client& client, JobDraft draft, StoreDone<SubmitOutcome> done);

}  // namespace genq::api
