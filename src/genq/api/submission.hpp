#pragma once
// Validating, pricing and storing a client-API job from a request body, shared by
// POST /api/v1/client/{task} (and its fixed-path twins such as videos/replace) and
// the prompt helpers. Each function answers `reply` itself when it fails.
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
// and stores the job. The stored (or, for a replay, the earlier) job; nullopt once
// `reply` has carried the error.
std::optional<Job> submit_job(Services& services, const Client& client, const SubmitTarget& target,
                              Result<SubmitBody> body, const http::Request& request, http::Reply& reply);

}  // namespace genq::api
