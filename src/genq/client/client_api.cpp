#include "genq/client/client_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace genq::client {
namespace {

// "The width must be at least 64. (width: …; height: …)" from a Laravel-style body.
std::string refusal_message(long status, const std::string& body) {
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(body, ec);
  std::string message = "HTTP " + std::to_string(status);
  if (ec || !doc.is_object()) return body.empty() ? message : message + ": " + body.substr(0, 300);
  const auto& object = doc.as_object();
  if (const auto* text = object.if_contains("message"); text && text->is_string()) {
    message += ": " + std::string(text->as_string());
  }
  if (const auto* errors = object.if_contains("errors"); errors && errors->is_object()) {
    for (const auto& [field, problems] : errors->as_object()) {
      if (!problems.is_array()) continue;
      for (const auto& problem : problems.as_array()) {
        if (problem.is_string()) message += "\n  " + std::string(field) + ": " + std::string(problem.as_string());
      }
    }
  }
  return message;
}

ErrorKind kind_for(long status) {
  if (status == 401 || status == 403) return ErrorKind::Forbidden;
  if (status == 404) return ErrorKind::NotFound;
  if (status == 409) return ErrorKind::Conflict;
  if (status >= 500) return ErrorKind::Unavailable;
  return ErrorKind::Invalid;
}

std::string string_field(const boost::json::object& object, const char* name) {
  const auto* value = object.if_contains(name);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

}  // namespace

ClientApi::ClientApi(std::string server, std::string api_key) : server_(std::move(server)), api_key_(std::move(api_key)) {
  while (!server_.empty() && server_.back() == '/') server_.pop_back();
}

runner::RequestOptions ClientApi::options() const {
  runner::RequestOptions options;
  options.bearer_token = api_key_;
  return options;
}

Result<boost::json::object> ClientApi::data_of(const Result<runner::HttpResponse>& answer, const std::string& what) {
  if (!answer) return fail(Error::unavailable(what + ": " + answer.error().message));
  if (answer->status < 200 || answer->status >= 300) {
    return fail(Error{kind_for(answer->status), what + ": " + refusal_message(answer->status, answer->body)});
  }
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(answer->body, ec);
  if (ec || !doc.is_object()) return fail(Error::internal(what + ": the answer is not a JSON object"));
  auto& object = doc.as_object();
  if (auto* data = object.if_contains("data"); data && data->is_object()) return std::move(data->as_object());
  return std::move(object);
}

Result<boost::json::object> ClientApi::submit(const std::string& task, const boost::json::object& params,
                                              const std::vector<FileField>& files) {
  const std::string url = server_ + "/api/v1/client/" + http_.escape(task);
  if (files.empty()) {
    return data_of(http_.post_json(url, boost::json::serialize(params), options()), "submit");
  }
  std::vector<runner::HttpClient::FormPart> parts;
  for (const auto& [name, value] : params) {
    // Form fields are text: strings as they are, numbers and booleans as JSON writes them.
    parts.push_back({std::string(name), value.is_string() ? std::string(value.as_string()) : boost::json::serialize(value), {}});
  }
  for (const FileField& file : files) parts.push_back({file.name, {}, file.path});
  runner::RequestOptions upload = options();
  upload.timeout = std::chrono::milliseconds(0);  // big files: only a stall ends it
  return data_of(http_.post_multipart(url, parts, upload), "submit");
}

Result<boost::json::object> ClientApi::status(const std::string& request_id) {
  return data_of(http_.get(server_ + "/api/v1/client/request-status/" + http_.escape(request_id), options()),
                 "request-status");
}

Result<boost::json::object> ClientApi::cancel(const std::string& request_id) {
  return data_of(http_.post_json(server_ + "/api/v1/client/request-cancel/" + http_.escape(request_id), "{}", options()),
                 "request-cancel");
}

Result<boost::json::array> ClientApi::models(const std::string& task) {
  boost::json::array all;
  for (int page = 1;; ++page) {
    std::string url = server_ + "/api/v1/client/models?per_page=100&page=" + std::to_string(page);
    if (!task.empty()) url += "&filter%5Binference_types%5D=" + http_.escape(task);
    auto answer = http_.get(url, options());
    if (!answer) return fail(Error::unavailable("models: " + answer.error().message));
    if (answer->status != 200) return fail(Error{kind_for(answer->status), "models: " + refusal_message(answer->status, answer->body)});
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(answer->body, ec);
    if (ec || !doc.is_object()) return fail(Error::internal("models: the answer is not a JSON object"));
    const auto* data = doc.as_object().if_contains("data");
    if (data == nullptr || !data->is_array()) return fail(Error::internal("models: the answer has no data array"));
    for (const auto& model : data->as_array()) all.push_back(model);
    const auto* last = doc.as_object().if_contains("last_page");
    if (const auto* meta = doc.as_object().if_contains("meta"); last == nullptr && meta && meta->is_object()) {
      last = meta->as_object().if_contains("last_page");
    }
    if (last == nullptr || !last->is_int64() || page >= last->as_int64() || data->as_array().empty()) break;
  }
  return all;
}

Result<RealtimeInfo> ClientApi::realtime() {
  auto data = data_of(http_.get(server_ + "/api/v1/client/realtime", options()), "realtime");
  if (!data) return fail(std::move(data.error()));
  RealtimeInfo info{string_field(*data, "key"), string_field(*data, "ws_path"), string_field(*data, "auth_endpoint"),
                    string_field(*data, "channel"), string_field(*data, "event")};
  if (info.ws_path.empty() || info.channel.empty()) return fail(Error::unavailable("realtime: incomplete answer"));
  return info;
}

Result<std::string> ClientApi::channel_auth(const std::string& socket_id, const std::string& channel) {
  const std::string form = "socket_id=" + http_.escape(socket_id) + "&channel_name=" + http_.escape(channel);
  auto answer = data_of(http_.post_form(server_ + "/broadcasting/auth", form, options()), "broadcasting/auth");
  if (!answer) return fail(std::move(answer.error()));
  std::string auth = string_field(*answer, "auth");
  if (auth.empty()) return fail(Error::unavailable("broadcasting/auth: no signature in the answer"));
  return auth;
}

Status ClientApi::download(const std::string& url, const std::filesystem::path& file) {
  runner::RequestOptions big;  // no bearer: result URLs are signed; no whole-request limit
  big.timeout = std::chrono::milliseconds(0);
  auto answer = http_.get_to_file(url, file, big);
  if (!answer) {
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
    return fail(Error::unavailable("download: " + answer.error().message));
  }
  if (answer->status != 200) {
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
    return fail(Error{kind_for(answer->status), "download: " + refusal_message(answer->status, answer->body)});
  }
  return {};
}

}  // namespace genq::client
