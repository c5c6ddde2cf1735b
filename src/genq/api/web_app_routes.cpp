#include "genq/api/web_app_routes.hpp"

#include <string>

#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Letters, digits, dots, dashes, a port and IPv6 brackets: anything else (a header
// someone crafted) must not reach the policy text.
bool plain_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

const WebAsset* find_asset(std::string_view path) {
  for (const WebAsset& asset : embedded_web_assets()) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

void serve(std::string_view path, http::Request& request, http::Reply& reply) {
  const WebAsset* asset = find_asset(path);
  if (asset == nullptr) {
    reply(http::error_response(404, "Not found."));
    return;
  }
  http::Response r;
  r.content_type = std::string(web_asset_content_type(path));
  r.body = std::string(asset->content());
  // The URLs carry no version: a browser must ask again after an upgrade, so nothing is
  // used unchecked. The files are small and come from memory.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Content-Security-Policy", web_content_security_policy(request.header("Host")));
  reply(std::move(r));
}

}  // namespace

std::string_view web_asset_content_type(std::string_view path) {
  if (path == "/" || ends_with(path, ".html")) return "text/html; charset=utf-8";
  if (ends_with(path, ".js")) return "text/javascript; charset=utf-8";
  if (ends_with(path, ".css")) return "text/css; charset=utf-8";
  if (ends_with(path, ".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

std::string web_content_security_policy(std::string_view host) {
  // CSP level 3 lets 'self' match ws:/wss: on the page's own host; the explicit
  // origins are for browsers that do not.
  std::string connect = "connect-src 'self'";
  if (plain_host(host)) {
    connect += " ws://" + std::string(host) + " wss://" + std::string(host);
  }
  return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
         "media-src 'self' blob:; " +
         connect + "; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
}

void add_web_app_routes(http::Router& router) {
  router.add({http::Verb::get, "/",
              [](http::Request& request, http::Reply reply) { serve("/", request, reply); },
              http::Exec::Inline, 0, false, "web-app"});
  router.add({http::Verb::get, "/ui/{name}",
              [](http::Request& request, http::Reply reply) {
                serve("/ui/" + request.param("name"), request, reply);
              },
              http::Exec::Inline, 0, false, "web-app-asset"});
}

}  // namespace genq::api
