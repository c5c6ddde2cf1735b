#include "genq/blob/s3_settings.hpp"

#include <initializer_list>

namespace genq {
namespace {

std::optional<std::string> first_of(const std::string& flag, const std::function<std::optional<std::string>(const char*)>& env,
                                    std::initializer_list<const char*> names) {
  if (!flag.empty()) return flag;
  for (const char* name : names) {
    if (auto value = env(name); value && !value->empty()) return value;
  }
  return std::nullopt;
}

std::string trim_slashes(std::string_view text) {
  while (!text.empty() && text.front() == '/') text.remove_prefix(1);
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  return std::string(text);
}

// "https://host:port/" -> scheme "https", authority "host:port".
bool split_endpoint(std::string_view endpoint, std::string& scheme, std::string& authority) {
  auto sep = endpoint.find("://");
  if (sep == std::string_view::npos) return false;
  scheme = std::string(endpoint.substr(0, sep));
  if (scheme != "http" && scheme != "https") return false;
  std::string_view rest = endpoint.substr(sep + 3);
  if (auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  authority = std::string(rest);
  return !authority.empty();
}

}  // namespace

std::string s3_uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool is_s3_url(std::string_view blobs) { return blobs.starts_with("s3://"); }

std::string S3Settings::host() const {
  std::string scheme, authority;
  split_endpoint(endpoint, scheme, authority);
  return path_style ? authority : bucket + "." + authority;
}

std::string S3Settings::object_path(std::string_view key) const {
  std::string path = "/";
  if (path_style) path += s3_uri_encode(bucket, false) + "/";
  if (!prefix.empty()) path += s3_uri_encode(prefix, true) + "/";
  path += s3_uri_encode(key, true);
  return path;
}

std::string S3Settings::object_url(std::string_view key) const {
  std::string scheme, authority;
  split_endpoint(endpoint, scheme, authority);
  return scheme + "://" + host() + object_path(key);
}

std::string S3Settings::describe() const {
  return "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix) + " at " + endpoint + " (" + region + ", " +
         (path_style ? "path-style" : "virtual-hosted") + ")";
}

Result<S3Settings> resolve_s3_settings(std::string_view blobs, const S3Flags& flags,
                                       const std::function<std::optional<std::string>(const char*)>& env) {
  if (!is_s3_url(blobs)) return fail(Error::invalid("--blobs: expected s3://BUCKET[/PREFIX]"));
  S3Settings s;
  std::string_view rest = blobs.substr(5);
  auto slash = rest.find('/');
  s.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) s.prefix = trim_slashes(rest.substr(slash + 1));
  if (s.bucket.empty()) return fail(Error::invalid("--blobs " + std::string(blobs) + ": no bucket name"));

  if (auto region = first_of(flags.region, env, {"AWS_REGION", "AWS_DEFAULT_REGION"})) s.region = *region;
  auto endpoint = first_of(flags.endpoint, env, {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
  if (endpoint) {
    std::string scheme, authority;
    if (!split_endpoint(*endpoint, scheme, authority)) {
      return fail(Error::invalid("S3 endpoint " + *endpoint + ": expected http(s)://HOST[:PORT]"));
    }
    s.endpoint = scheme + "://" + authority;
  } else {
    s.endpoint = "https://s3." + s.region + ".amazonaws.com";
  }
  if (flags.path_style == "on") {
    s.path_style = true;
  } else if (flags.path_style == "off") {
    s.path_style = false;
  } else if (flags.path_style == "auto" || flags.path_style.empty()) {
    // MinIO, s3rver and Garage answer on one host name: the bucket goes in the path.
    s.path_style = endpoint.has_value();
  } else {
    return fail(Error::invalid("--s3-path-style: expected auto, on or off"));
  }

  auto key_id = first_of(flags.access_key_id, env, {"AWS_ACCESS_KEY_ID"});
  auto secret = first_of(flags.secret_access_key, env, {"AWS_SECRET_ACCESS_KEY"});
  if (!key_id || !secret) {
    return fail(Error::invalid("no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                               "--s3-access-key-id and --s3-secret-access-key"));
  }
  s.access_key_id = *key_id;
  s.secret_access_key = *secret;
  // A session token belongs to the variables' key pair, not to keys given by flag.
  if (flags.access_key_id.empty()) {
    if (auto token = env("AWS_SESSION_TOKEN"); token && !token->empty()) s.session_token = *token;
  }
  return s;
}

}  // namespace genq
