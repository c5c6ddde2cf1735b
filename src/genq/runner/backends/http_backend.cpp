#include "genq/runner/backends/http_backend.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "genq/crypto/crypto.hpp"
#include "genq/runner/backends/job_values.hpp"
#include "genq/runner/http_client.hpp"

namespace genq::runner {
namespace json = boost::json;
namespace {

// The start of an error answer is enough to say what went wrong.
constexpr std::size_t kErrorBodyChars = 500;
// A progress poll must not hold up the job's end.
constexpr std::chrono::milliseconds kProgressTimeout{5'000};

Result<std::string> read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return fail(Error::internal("cannot read " + file.filename().string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool is_json(const std::string& content_type) { return content_type.find("json") != std::string::npos; }

std::string extension_for(const std::string& content_type) {
  if (content_type.starts_with("image/png")) return ".png";
  if (content_type.starts_with("image/jpeg")) return ".jpg";
  if (content_type.starts_with("image/webp")) return ".webp";
  if (content_type.starts_with("audio/wav") || content_type.starts_with("audio/x-wav")) return ".wav";
  if (content_type.starts_with("audio/mpeg")) return ".mp3";
  if (content_type.starts_with("video/mp4")) return ".mp4";
  if (content_type.starts_with("video/webm")) return ".webm";
  return ".bin";
}

// Polls the progress URL until stopped; reports each answer to the job's sink.
class ProgressPoller {
 public:
  ProgressPoller(std::string url, std::chrono::milliseconds interval, ProgressSink& sink)
      : url_(std::move(url)), interval_(interval), sink_(sink), thread_([this] { loop(); }) {}
  ~ProgressPoller() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    stop_flag_.store(true);
    thread_.join();
  }

 private:
  void loop() {
    HttpClient client;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      poll_once(client);
      lock.lock();
    }
  }

  void poll_once(HttpClient& client) {
    RequestOptions options;
    options.timeout = kProgressTimeout;
    options.abort = &stop_flag_;
    auto answer = client.get(url_, options);
    if (!answer || answer->status != 200) {
      return;  // the server may not know the job yet; the next poll tries again
    }
    boost::system::error_code ec;
    const json::value doc = json::parse(answer->body, ec);
    if (ec || !doc.is_object()) {
      return;
    }
    const json::value* percent = doc.get_object().if_contains("progress");
    if (percent == nullptr || !percent->is_number()) {
      return;
    }
    std::string preview;
    if (const json::value* encoded = doc.get_object().if_contains("preview"); encoded && encoded->is_string()) {
      if (!crypto::base64_decode(encoded->get_string(), preview)) {
        preview.clear();
      }
    }
    sink_.report(std::clamp(percent->to_number<double>(), 0.0, 100.0), std::move(preview));
  }

  const std::string url_;
  const std::chrono::milliseconds interval_;
  ProgressSink& sink_;
  std::atomic<bool> stop_flag_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;     // last: starts after everything above exists
};

// A string that is one whole placeholder keeps the value's JSON type.
Result<json::value> typed_value(const std::vector<std::string>& alternatives, const JobSpec& job,
                                const ArgTemplate::Lookup& lookup) {
  for (const std::string& name : alternatives) {
    if (const json::value* param = job.params.if_contains(name); param != nullptr && !param->is_null()) {
      return *param;
    }
    if (auto text = lookup(name)) {
      return json::value(json::string(*text));
    }
  }
  return fail(Error::invalid("no value for {" + alternatives.front() + "} in the request body"));
}

Result<json::value> fill(const json::value& template_value, const JobSpec& job, const ArgTemplate::Lookup& lookup) {
  if (template_value.is_string()) {
    auto parsed = ArgTemplate::parse(template_value.get_string());
    if (!parsed) {
      return fail(parsed.error());
    }
    if (auto sole = parsed->sole_placeholder(); !sole.empty()) {
      return typed_value(sole, job, lookup);
    }
    auto text = parsed->expand(lookup);
    if (!text) {
      return fail(text.error());
    }
    return json::value(json::string(*text));
  }
  if (template_value.is_array()) {
    json::array out;
    for (const json::value& item : template_value.get_array()) {
      auto filled = fill(item, job, lookup);
      if (!filled) {
        return filled;
      }
      out.push_back(std::move(*filled));
    }
    return json::value(std::move(out));
  }
  if (template_value.is_object()) {
    json::object out;
    for (const auto& item : template_value.get_object()) {
      auto filled = fill(item.value(), job, lookup);
      if (!filled) {
        return filled;
      }
      out[item.key()] = std::move(*filled);
    }
    return json::value(std::move(out));
  }
  return template_value;
}

}  // namespace

Result<json::value> HttpBackend::build_body(const JobSpec& job) const {
  const JobValues values(job, job.work_dir / "output");
  // Input files as paths or as their base64 bytes, the same in templates and the
  // default body.
  std::map<std::string, std::string> inputs;
  for (const auto& [field, path] : job.inputs) {
    if (config_.inputs == InputPassing::Path) {
      inputs[field] = path.string();
      continue;
    }
    auto bytes = read_file(path);
    if (!bytes) {
      return fail(bytes.error());
    }
    inputs[field] = crypto::base64_encode(*bytes);
  }
  const ArgTemplate::Lookup lookup = [&](std::string_view name) -> std::optional<std::string> {
    if (name.starts_with("input.")) {
      const auto found = inputs.find(std::string(name.substr(6)));
      return found == inputs.end() ? std::nullopt : std::optional<std::string>(found->second);
    }
    return values.text(name);
  };
  if (config_.body) {
    return fill(*config_.body, job, lookup);
  }
  json::object files;
  for (const auto& [field, value] : inputs) {
    files[field] = value;
  }
  return json::value(json::object{{"job_id", job.job_id},
                                  {"task", job.task},
                                  {"model", job.model},
                                  {"params", job.params},
                                  {"inputs", std::move(files)}});
}

Result<Output> HttpBackend::run(const JobSpec& job, ProgressSink& progress, const std::atomic<bool>& cancelled) {
  const JobValues values(job, job.work_dir / "output");
  auto url = config_.url.expand(values.lookup());
  if (!url) {
    return fail(url.error());
  }
  auto body = build_body(job);
  if (!body) {
    return fail(body.error());
  }
  const auto answer_file = job.work_dir / "answer";
  Result<HttpResponse> answer;
  {
    std::optional<ProgressPoller> poller;
    if (config_.progress_url) {
      if (auto progress_url = config_.progress_url->expand(values.lookup())) {
        poller.emplace(*progress_url, config_.progress_interval, progress);
      }
    }
    HttpClient client;
    RequestOptions options;
    options.timeout = config_.timeout;
    options.abort = &cancelled;
    answer = client.post_json_to_file(*url, json::serialize(*body), answer_file, options);
  }
  if (cancelled.load()) {
    return fail(cancelled_error());
  }
  if (!answer) {
    return fail(Error::unavailable("model server: " + answer.error().message));
  }
  if (answer->status < 200 || answer->status >= 300) {
    const std::string message = "model server answered " + std::to_string(answer->status) + ": " +
                                answer->body.substr(0, kErrorBodyChars);
    return fail(answer->status == 503 ? Error::unavailable(message) : Error::internal(message));
  }

  const bool file_output = job.output == catalog::OutputKind::Image || job.output == catalog::OutputKind::Audio ||
                           job.output == catalog::OutputKind::Video;
  if (file_output) {
    if (answer->content_type.empty() || is_json(answer->content_type) ||
        answer->content_type.starts_with("text/")) {
      return fail(Error::internal("model server answered " + (answer->content_type.empty() ? "no Content-Type"
                                                                                           : answer->content_type) +
                                  ", not a " + std::string(catalog::output_kind_text(job.output)) + " file"));
    }
    auto typed = job.work_dir / ("output" + extension_for(answer->content_type));
    std::error_code ec;
    std::filesystem::rename(answer_file, typed, ec);
    if (ec) {
      return fail(Error::internal("cannot keep the model server's answer: " + ec.message()));
    }
    const auto semicolon = answer->content_type.find(';');
    return Output{typed, answer->content_type.substr(0, semicolon), std::nullopt};
  }
  auto text = read_file(answer_file);
  if (!text) {
    return fail(text.error());
  }
  if (!is_json(answer->content_type)) {
    if (job.output == catalog::OutputKind::Json) {
      return fail(Error::internal("model server answered " + answer->content_type + ", not JSON"));
    }
    return Output{{}, {}, json::value(json::string(*text))};
  }
  boost::system::error_code ec;
  json::value doc = json::parse(*text, ec);
  if (ec) {
    return fail(Error::internal("model server's JSON answer does not parse: " + ec.message()));
  }
  json::value result = doc;
  if (!config_.result_pointer.empty()) {
    const json::value* found = doc.find_pointer(config_.result_pointer, ec);
    if (found == nullptr) {
      return fail(Error::internal("model server's answer has nothing at " + config_.result_pointer));
    }
    result = *found;
  }
  if (job.output == catalog::OutputKind::Text && !result.is_string()) {
    result = json::string(json::serialize(result));
  }
  return Output{{}, {}, std::move(result)};
}

}  // namespace genq::runner
