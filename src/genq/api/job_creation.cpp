#include "genq/api/job_creation.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <cctype>
#include <vector>

#include "genq/crypto/crypto.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

std::string file_extension(const http::FormPart& part) {
  auto dot = part.filename.rfind('.');
  if (dot == std::string::npos) return "";
  std::string ext;
  for (char c : part.filename.substr(dot + 1)) {
    if (std::isalnum(static_cast<unsigned char>(c)) && ext.size() < 8) ext.push_back(static_cast<char>(std::tolower(c)));
  }
  return ext.empty() ? "" : "." + ext;
}

// A stable digest of what was asked, for Idempotency-Key comparisons. The dialect is
// part of it: the same key used for a generateTask and a client submit is a conflict.
std::string request_digest(const JobDraft& draft) {
  std::string canonical = draft.task + "\n" + boost::json::serialize(draft.body.fields);
  if (draft.dialect == Dialect::Task) canonical = "task:" + canonical + "\n" + draft.webhook_url;
  for (const auto& f : draft.body.files) canonical += "\n" + f.name + ":" + crypto::sha256_hex(f.data);
  return crypto::sha256_hex(canonical);
}

std::vector<std::string> input_keys(const boost::json::object& inputs) {
  std::vector<std::string> keys;
  for (const auto& [field, key] : inputs) keys.emplace_back(key.as_string());
  return keys;
}

}  // namespace

std::expected<std::string, http::Response> read_idempotency_key(const http::Request& request) {
  std::string key = request.header("Idempotency-Key");
  if (key.size() > 255) {
    return std::unexpected(http::error_response(400, "The Idempotency-Key header must be at most 255 characters."));
  }
  return key;
}

std::expected<std::optional<std::int64_t>, http::Response> billed_price(Services& services, const Client& client,
                                                                       const catalog::ValidatedRequest& request) {
  if (!services.billing.enabled()) return std::nullopt;
  auto decision = services.billing.decide(client.id, services.catalog.price(request));
  if (!decision) return std::unexpected(http::response_for(decision.error()));
  if (decision->refused) return std::unexpected(http::validation_error({{"balance", {std::string(kNotEnoughBalance)}}}));
  return decision->price_nanos;
}

void create_job(Services& services, const Client& client, JobDraft draft, StoreDone<SubmitOutcome> done) {
  // seed -1 means random: fix it now so a retried job produces the same output.
  auto& params = draft.validated.params;
  if (auto it = params.find("seed"); it != params.end() && it->value().is_int64() && it->value().as_int64() == -1) {
    // OpenSSL's generator, not std::random_device: opening that costs more than the
    // rest of a submit's parsing (8% of a submit's CPU in a profile).
    const std::string bytes = crypto::id_random_bytes(4);
    std::uint32_t seed = 0;
    for (unsigned char byte : bytes) seed = (seed << 8) | byte;
    it->value() = static_cast<std::int64_t>(seed);
  }

  NewJob job;
  // Time-ordered: a batch of submits appends to the jobs' id index instead of
  // dirtying one random index page per job (each a 4 KiB WAL write at the commit).
  job.id = crypto::uuid_v7(static_cast<std::uint64_t>(to_unix_ms(services.jobs.clock().now())));
  job.client_id = client.id;
  job.task = draft.task;
  job.model = draft.validated.model->name;
  job.params_json = boost::json::serialize(params);
  job.dialect = draft.dialect;
  job.webhook_url = draft.webhook_url;
  job.webhook_secret = draft.webhook_secret;
  job.webhook_events = draft.webhook_events;
  job.idempotency_key = draft.idempotency_key;
  job.submit_request_id = std::move(draft.submit_request_id);
  job.price_nanos = draft.price_nanos;
  job.priority = draft.priority;
  job.cancel_after = draft.deadlines.cancel_after;
  job.execution_timeout = draft.deadlines.execution_timeout;
  job.max_queued = client.limits.max_queued;
  if (!draft.idempotency_key.empty()) job.request_hash = request_digest(draft);

  boost::json::object inputs;
  for (const auto& field : draft.validated.file_fields) {
    // Several parts of one field (images[]): the first under the field's name, the
    // others as images.1, images.2, …
    int index = 0;
    for (const http::FormPart& part : draft.body.files) {
      if (part.name != field) continue;
      const std::string input = index == 0 ? field : field + "." + std::to_string(index);
      ++index;
      std::string key = "inputs/" + job.id + "/" + input + file_extension(part);
      if (auto put = services.jobs.blobs().put(key, part.data); !put) {
        services.jobs.remove_later(input_keys(inputs));
        // What is wrong with the storage is the operator's to fix, not the client's.
        spdlog::error("cannot store input {}: {}", key, put.error().message);
        return done(fail(Error::unavailable("The uploaded file could not be stored; try again.")));
      }
      inputs[input] = key;
    }
  }
  job.inputs_json = boost::json::serialize(inputs);

  services.jobs.submit(std::move(job), [&services, inputs = std::move(inputs),
                                        done = std::move(done)](Result<SubmitOutcome> outcome) {
    if (!outcome || !outcome->created) {  // an idempotent replay keeps the earlier job's inputs
      services.jobs.remove_later(input_keys(inputs));  // on the store's thread: S3 would block it
    }
    done(std::move(outcome));
  });
}

}  // namespace genq::api
