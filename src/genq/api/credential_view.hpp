#pragma once
// How a worker token and an API key are shown, by the admin API and by `genq admin`
// alike: never the credential itself nor its hash.
#include <boost/json/object.hpp>

#include "genq/store/account_store.hpp"

namespace genq::api {

// {"id","name","models","disabled","created_at"}
boost::json::object worker_token_view(const WorkerToken& token);
// {"id","created_at"}
boost::json::object api_key_view(const ApiKeyInfo& key);

}  // namespace genq::api
