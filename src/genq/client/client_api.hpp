#pragma once
// The client API (docs/api.md) as the client commands use it (`genq submit`, `status`,
// `cancel`, `models`): blocking calls with an API key over libcurl. A refusal becomes
// an Error whose message is the server's, with each field's 422 message after it.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "genq/core/error.hpp"
#include "genq/runner/http_client.hpp"

namespace genq::client {

// A file field of a submit: --file image=photo.jpg.
struct FileField {
  std::string name;
  std::filesystem::path path;
};

// Where a job's WebSocket events come from (GET /api/v1/client/realtime).
struct RealtimeInfo {
  std::string key;
  std::string ws_path;
  std::string auth_endpoint;
  std::string channel;
  std::string event;
};

class ClientApi {
 public:
  ClientApi(std::string server, std::string api_key);

  // POST /api/v1/client/{task}: JSON, or multipart when there are files. The answer's
  // data object ({request_id, …}).
  Result<boost::json::object> submit(const std::string& task, const boost::json::object& params,
                                     const std::vector<FileField>& files);
  // The request-status document's data object.
  Result<boost::json::object> status(const std::string& request_id);
  Result<boost::json::object> cancel(const std::string& request_id);
  // Every model (all pages), those offering `task` when it is not empty.
  Result<boost::json::array> models(const std::string& task);
  Result<RealtimeInfo> realtime();
  // The "auth" signature for a private channel (POST /broadcasting/auth).
  Result<std::string> channel_auth(const std::string& socket_id, const std::string& channel);
  // A result or preview URL saved to `file` (written in place; a failed download
  // removes it).
  Status download(const std::string& url, const std::filesystem::path& file);

  const std::string& server() const { return server_; }

 private:
  Result<boost::json::object> data_of(const Result<runner::HttpResponse>& answer, const std::string& what);
  runner::RequestOptions options() const;

  std::string server_;  // without a trailing slash
  std::string api_key_;
  runner::HttpClient http_;
};

}  // namespace genq::client
