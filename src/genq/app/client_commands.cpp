#include "genq/app/client_commands.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "genq/client/client_api.hpp"
#include "genq/client/job_follower.hpp"
#include "genq/client/progress_display.hpp"
#include "genq/crypto/crypto.hpp"

namespace genq::app {
namespace {

constexpr int kExitJobFailed = 1;
constexpr int kExitRefused = 2;
constexpr int kExitUnavailable = 3;

int exit_code_for(const Error& error) {
  return error.kind == ErrorKind::Unavailable || error.kind == ErrorKind::Internal ? kExitUnavailable : kExitRefused;
}

int report(const char* command, const Error& error) {
  std::cerr << "genq " << command << ": " << error.message << "\n";
  return exit_code_for(error);
}

// "--param width=512": a value that reads as JSON (number, true, [1,2], "quoted") is
// that JSON; anything else is a string, so prompts need no quoting.
Result<boost::json::object> parse_params(const ClientCommandOptions& options) {
  boost::json::object params;
  for (const std::string& pair : options.params) {
    const auto equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) {
      return fail(Error::invalid("--param " + pair + ": expected NAME=VALUE"));
    }
    const std::string value = pair.substr(equals + 1);
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(value, ec);
    params[pair.substr(0, equals)] = ec ? boost::json::value(value) : std::move(parsed);
  }
  if (!options.model.empty()) params["model"] = options.model;
  if (!options.webhook_url.empty()) params["webhook_url"] = options.webhook_url;
  return params;
}

Result<std::vector<client::FileField>> parse_files(const ClientCommandOptions& options) {
  std::vector<client::FileField> files;
  for (const std::string& pair : options.files) {
    const auto equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) {
      return fail(Error::invalid("--file " + pair + ": expected FIELD=PATH, e.g. --file image=photo.jpg"));
    }
    std::filesystem::path path = pair.substr(equals + 1);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return fail(Error::invalid("--file " + pair + ": no such file"));
    files.push_back({pair.substr(0, equals), path});
  }
  return files;
}

// A data:image/jpeg;base64,… preview written to `file` (replaced atomically).
void save_preview(const std::string& data_url, const std::string& file) {
  const auto comma = data_url.find(',');
  std::string bytes;
  if (!data_url.starts_with("data:") || comma == std::string::npos ||
      !crypto::base64_decode(std::string_view(data_url).substr(comma + 1), bytes)) {
    return;
  }
  const std::string temp = file + ".part";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) return;
  }
  std::error_code ec;
  std::filesystem::rename(temp, file, ec);
}

// Where a result goes without --out: REQUEST_ID plus the result file's extension.
std::string default_result_file(const std::string& request_id, const std::string& result_url) {
  std::string path = result_url.substr(0, result_url.find('?'));
  path = path.substr(path.rfind('/') + 1);
  const auto dot = path.rfind('.');
  return request_id + (dot == std::string::npos ? std::string() : path.substr(dot));
}

std::string text_field(const boost::json::object& object, const char* name) {
  const auto* value = object.if_contains(name);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

int finish_job(client::ClientApi& api, const ClientCommandOptions& options, const std::string& request_id,
               const boost::json::object& final_status) {
  if (text_field(final_status, "status") == "error") {
    std::string message = text_field(final_status, "error");
    std::cerr << "genq submit: job " << request_id << " failed: " << (message.empty() ? "unknown error" : message) << "\n";
    return kExitJobFailed;
  }
  const std::string result = text_field(final_status, "result");
  if (!result.empty()) std::cout << result << "\n";
  const std::string url = text_field(final_status, "result_url");
  if (url.empty() || (!result.empty() && options.out.empty())) return 0;  // text: printed is enough unless --out
  const std::string file = options.out.empty() ? default_result_file(request_id, url) : options.out;
  if (Status saved = api.download(url, file); !saved) return report("submit", saved.error());
  std::cerr << "saved " << file << " (" << std::filesystem::file_size(file) << " bytes)\n";
  return 0;
}

int run_submit(const ClientCommandOptions& options) {
  auto params = parse_params(options);
  if (!params) return report("submit", params.error());
  auto files = parse_files(options);
  if (!files) return report("submit", files.error());
  client::ClientApi api(options.server, options.api_key);
  auto submitted = api.submit(options.task, *params, *files);
  if (!submitted) return report("submit", submitted.error());
  const std::string request_id = text_field(*submitted, "request_id");
  std::cout << request_id << std::endl;
  if (!options.wait && options.out.empty() && options.preview.empty()) return 0;  // --out/--preview imply --wait

  client::ProgressDisplay display(stderr, ::isatty(STDERR_FILENO) == 1);
  client::JobFollower follower(
      api,
      [&](const client::JobUpdate& update) {
        display.update(update);
        if (!options.preview.empty() && !update.preview.empty()) save_preview(update.preview, options.preview);
      },
      [&](const std::string& notice) { display.note(notice); });
  auto final_status = follower.follow(request_id);
  display.finish();
  if (!final_status) return report("submit", final_status.error());
  return finish_job(api, options, request_id, *final_status);
}

int print_document(const char* command, const Result<boost::json::object>& document) {
  if (!document) return report(command, document.error());
  std::cout << boost::json::serialize(*document) << "\n";
  return 0;
}

int run_models(const ClientCommandOptions& options) {
  client::ClientApi api(options.server, options.api_key);
  auto models = api.models(options.models_task);
  if (!models) return report("models", models.error());
  for (const auto& entry : *models) {
    if (!entry.is_object()) continue;
    const auto& model = entry.as_object();
    std::string tasks;
    if (const auto* types = model.if_contains("inference_types"); types && types->is_array()) {
      for (const auto& type : types->as_array()) {
        if (!type.is_string()) continue;
        if (!tasks.empty()) tasks += ",";
        tasks += type.as_string();
      }
    }
    std::printf("%-28s %-28s %s\n", text_field(model, "slug").c_str(), tasks.c_str(), text_field(model, "name").c_str());
  }
  return 0;
}

void add_connection_options(CLI::App& command, ClientCommandOptions& options) {
  command.add_option("--server", options.server, "genq server URL")->envname("GENQ_SERVER")->capture_default_str();
  command.add_option("--api-key", options.api_key, "API key (genq admin create-client); prefer GENQ_API_KEY: "
                                                   "a flag shows in ps")
      ->envname("GENQ_API_KEY")->required();
}

}  // namespace

ClientCommands add_client_commands(CLI::App& app, ClientCommandOptions& options) {
  ClientCommands commands;
  commands.submit = app.add_subcommand("submit", "Submit a job; prints its request id (with --wait: follows it to the end)");
  add_connection_options(*commands.submit, options);
  commands.submit->add_option("task", options.task, "Task: txt2img, img2img, txt2audio, transcribe, … (genq models)")
      ->required();
  commands.submit->add_option("--model", options.model, "Model slug (genq models --task TASK lists them)")->required();
  commands.submit->add_option("--param", options.params,
                              "A parameter NAME=VALUE, repeatable; VALUE is JSON when it parses as JSON "
                              "(512, true, \"text\"), else a string");
  commands.submit->add_option("--file", options.files, "A file field FIELD=PATH, repeatable (sent as multipart)");
  commands.submit->add_option("--webhook-url", options.webhook_url, "Webhook for this job's result");
  commands.submit->add_flag("--wait", options.wait,
                            "Follow the job (WebSocket, else polling) with a progress bar, then save or print the result");
  commands.submit->add_option("--out", options.out, "Where to save the result (default REQUEST_ID.EXT); implies --wait");
  commands.submit->add_option("--preview", options.preview, "Keep the latest preview image in this file; implies --wait");

  commands.status = app.add_subcommand("status", "Print a job's request-status document (JSON)");
  add_connection_options(*commands.status, options);
  commands.status->add_option("request_id", options.request_id, "The job's request id")->required();

  commands.cancel = app.add_subcommand("cancel", "Cancel a job that has not finished; prints its status document");
  add_connection_options(*commands.cancel, options);
  commands.cancel->add_option("request_id", options.request_id, "The job's request id")->required();

  commands.models = app.add_subcommand("models", "List the models: slug, tasks, name");
  add_connection_options(*commands.models, options);
  commands.models->add_option("--task", options.models_task, "Only the models offering this task");
  return commands;
}

std::optional<int> run_client_command(const ClientCommands& commands, const ClientCommandOptions& options) {
  if (*commands.submit) return run_submit(options);
  if (*commands.status) {
    client::ClientApi api(options.server, options.api_key);
    return print_document("status", api.status(options.request_id));
  }
  if (*commands.cancel) {
    client::ClientApi api(options.server, options.api_key);
    return print_document("cancel", api.cancel(options.request_id));
  }
  if (*commands.models) return run_models(options);
  return std::nullopt;
}

}  // namespace genq::app
