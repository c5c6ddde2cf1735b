#pragma once
// Validating, pricing and storing a client-API job from a request body, shared by
// POST /api/v1/client/{task} (and its fixed-path twins such as videos/replace) and
// the prompt helpers. Each function answers `reply` itself when it fails.
#include <functional>
#include <optional>
#include <string>

#include "genq/api/request_body.hpp"
#include "genq/core/job.hpp"
#include "genq/http/request.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

struct SubmitTarget {
  std::string task;
  // Used when the body names no model (the prompt helpers' SDK calls send none);
  // empty = `model` is required.
  std::string default_model;
};

// The price-calculation twin: validates the body in price mode (nothing required
// beyond the model, deAPI's price-only fields accepted) and answers the price.
void answer_price(Services& services, const SubmitTarget& target, Result<SubmitBody> body, http::Reply reply);

// Validates the body, downloads inputs given by URL, applies the Idempotency-Key
// and stores the job. `stored` gets the stored (or, for a replay, the earlier) job once
// it is durable, on the store's thread; every failure is answered on `reply` instead.
// What blocks (downloads, writing uploaded files) runs through request.run_blocking.
void submit_job(Services& services, const Client& client, const SubmitTarget& target, Result<SubmitBody> body,
                http::Request& request, http::Reply reply, std::function<void(Job)> stored);

// Whether a submit must leave the I/O thread: a multipart body, whose parsing and files
// may take milliseconds, or one naming a webhook_url, whose check may wait on DNS.
bool submit_may_block(const http::Request& request);
// Runs a submit handler now, on the I/O thread, or on the blocking pool when
// submit_may_block.
void run_submit(http::Request& request, std::function<void()> handler);

}  // namespace genq::api
