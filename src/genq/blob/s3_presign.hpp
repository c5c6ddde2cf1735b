#pragma once
// SigV4 query-string signing ("presigned URLs", AWS's "Authenticating Requests: Using
// Query Parameters"): an object URL anyone can GET until it expires, without
// credentials. Pure and thread-safe.
#include <chrono>
#include <string>
#include <string_view>

#include "genq/blob/s3_settings.hpp"
#include "genq/core/clock.hpp"

namespace genq {

// `method` is the HTTP verb the URL allows ("GET"). `ttl` is at most 7 days (SigV4's
// limit); the URL is valid from `now` until now + ttl.
std::string s3_presigned_url(const S3Settings& s3, std::string_view method, std::string_view key, TimePoint now,
                             std::chrono::seconds ttl);

}  // namespace genq
