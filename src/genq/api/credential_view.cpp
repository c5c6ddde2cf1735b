#include "genq/api/credential_view.hpp"

#include <boost/json/array.hpp>

#include "genq/core/clock.hpp"

namespace genq::api {

boost::json::object worker_token_view(const WorkerToken& token) {
  return {{"id", token.id},
          {"name", token.name},
          {"models", boost::json::array(token.models.begin(), token.models.end())},
          {"disabled", token.disabled},
          {"created_at", to_iso8601(token.created_at)}};
}

boost::json::object api_key_view(const ApiKeyInfo& key) {
  return {{"id", key.id}, {"created_at", to_iso8601(key.created_at)}};
}

}  // namespace genq::api
