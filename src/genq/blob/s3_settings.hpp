#pragma once
// Where an S3BlobStore stores: `--blobs s3://BUCKET[/PREFIX]` plus the endpoint, region
// and credentials. The --s3-* flags win over the standard AWS variables
// (AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL; AWS_REGION, then AWS_DEFAULT_REGION;
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). Pure.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "genq/core/error.hpp"

namespace genq {

struct S3Flags {
  std::string endpoint;
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
  std::string path_style = "auto";  // auto (on when an endpoint is given), on, off
};

struct S3Settings {
  std::string bucket;
  std::string prefix;    // keys are stored as PREFIX/key; empty = the bucket's root
  std::string endpoint;  // scheme://host[:port], no trailing slash
  std::string region = "us-east-1";
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials; empty = none
  bool path_style = false;    // endpoint/bucket/key instead of bucket.endpoint/key

  // The object's URL (its path segments percent-encoded) and its Host header.
  std::string object_url(std::string_view key) const;
  std::string host() const;
  // The object's path as signed: /bucket/prefix/key or /prefix/key.
  std::string object_path(std::string_view key) const;
  // "s3://bucket/prefix at endpoint (region)", for logs; never the secret.
  std::string describe() const;
};

// True when --blobs names a bucket rather than a directory.
bool is_s3_url(std::string_view blobs);

// Reads the S3 settings from --blobs, the flags and then the environment (`env` returns
// a variable's value, nullopt when unset or empty). Invalid with what is missing.
Result<S3Settings> resolve_s3_settings(std::string_view blobs, const S3Flags& flags,
                                       const std::function<std::optional<std::string>(const char*)>& env);

// RFC 3986 percent-encoding of everything but unreserved characters (and '/', when
// keep_slash), as SigV4's canonical requests want it.
std::string s3_uri_encode(std::string_view text, bool keep_slash);

}  // namespace genq
