#pragma once
// The model catalog: which tasks exist, which models serve them, each parameter's
// type, default and bounds, and pricing. Loaded once from a JSON file
// (config/models.json by default; its format is described at the top of that
// file's loader, catalog.cpp); immutable afterwards, so thread-safe to share.
#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "genq/catalog/file_inputs.hpp"
#include "genq/core/error.hpp"

namespace genq::catalog {

// Loras: a list of {"name": one of the model's loras, "weight": number in the
// parameter's min..max}, as deAPI's txt2img/img2img take them.
enum class ParamType { Integer, Number, String, Boolean, File, Loras };

// "integer", "number", "string", "boolean", "file", "loras" (the catalog file's spelling).
std::string_view param_type_text(ParamType type);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::String;
  bool required = false;
  // File params only: required unless one of these file fields came instead
  // (transcribe takes `audio` or `video`). Laravel's required_without.
  std::vector<std::string> required_without;
  // Required only while another field has a given value: {"mode", "voice_clone"}
  // makes ref_audio required for voice cloning (Laravel's required_if).
  std::optional<std::pair<std::string, std::string>> required_if;
  int max_files = 1;  // file params: how many parts may come (deAPI's images[])
  // String params: when > 0, a list of up to this many strings is accepted too, each
  // within min/max (deAPI's batch embeddings: "input": ["a", "b"]).
  int max_items = 0;
  std::optional<boost::json::value> default_value;  // filled in when the client omits it
  std::optional<double> min, max;                   // numbers: value bounds; strings: length bounds
  std::optional<double> step;                       // e.g. width/height resolution step
  // Enum, empty = any. Canonical text of each allowed value: strings as they are,
  // integers in decimal ("2", "4"), so one list serves every type.
  std::vector<std::string> allowed;
  bool nullable_random_seed = false;  // seed: -1 means random
  std::string description;
};

// How a task's output looks; decides the result field and the synthetic output.
enum class OutputKind { Image, Video, Audio, Text, Json };

// "image", "video", "audio", "text", "json".
std::string_view output_kind_text(OutputKind kind);
// The kind output_kind_text names; nullopt for any other text.
std::optional<OutputKind> parse_output_kind(std::string_view text);

struct TaskSpec {
  std::string name;   // "txt2img"
  std::string title;  // "Text To Image", as deAPI's messages name it
  OutputKind output = OutputKind::Image;
  std::vector<std::string> file_fields;  // multipart file inputs, e.g. {"image"}; a model takes at least one
  // Files only some of the task's models take: img2video's last_frame_image,
  // img2img's images (several), txt2audio's ref_audio (voice cloning).
  std::vector<std::string> optional_files;
  bool takes_file(std::string_view field) const;
  std::string dialect_mode;              // second-dialect input.mode, e.g. "text-to-image"; may be empty
};

struct Pricing {
  double base = 0;           // per job
  double per_step = 0;       // times steps
  double per_megapixel = 0;  // times width*height/1e6
  double per_second = 0;     // times duration (audio/video)
  double per_1k_chars = 0;   // times prompt/text length / 1000
  std::string currency = "USD";
};

struct ModelSpec {
  std::string name;                  // "Flux1schnell": what clients send as `model`
  std::string display_name;          // "FLUX.1 Schnell 12B NF4", for people only
  std::string slug;                  // "flux1schnell" (lowercase name unless configured)
  std::vector<std::string> aliases;  // other names accepted in URLs / bodies ("flux-1-schnell")
  std::vector<std::string> tasks;    // inference_types
  std::vector<ParamSpec> params;     // in documented order
  boost::json::value limits;         // info.limits as listed by GET /models
  boost::json::value features;       // info.features
  boost::json::value languages;      // speech models: deAPI's languages[] with voices; else null
  boost::json::value loras;          // models taking `loras`: the LoRAs they know ([{"name",...}]); else null
  Pricing pricing;
  // "deadlines": {"cancel_after": s, "execution_timeout": s}: the defaults of a job that
  // names none (docs/api.md, "Deadlines"); 0 = none.
  struct Deadlines {
    std::int64_t cancel_after_s = 0;
    std::int64_t execution_timeout_s = 0;
  } deadlines;
  boost::json::value backend;  // worker-side backend config ({"type":"synthetic",...})
  std::string description;

  const ParamSpec* find_param(std::string_view param_name) const;
  bool serves(std::string_view task) const;
};

// Field -> problems, in the order found; the first entry is the headline message.
struct FieldErrors {
  std::vector<std::pair<std::string, std::vector<std::string>>> fields;
  void add(const std::string& field, std::string problem);
  bool empty() const { return fields.empty(); }
  // Requires: !empty().
  const std::string& first() const { return fields.front().second.front(); }
};

struct ValidatedRequest {
  const ModelSpec* model = nullptr;
  const TaskSpec* task = nullptr;
  boost::json::object params;            // model parameters with defaults filled in
  std::vector<std::string> file_fields;  // which file fields the caller must store
  // Price mode only: the price-only fields deAPI documents (count_text,
  // duration_seconds, width/height of an input file, frames/fps, duration), which
  // stand in for what a submit would carry. Never part of a job.
  boost::json::object price_inputs;
};

// Submit: the full request. Price: a price-calculation twin's body, where nothing
// is required beyond `model` and the price-only fields are accepted.
enum class ValidationMode { Submit, Price };

class Catalog {
 public:
  // Parses the catalog; Invalid with a message naming the bad entry.
  static Result<Catalog> load_file(const std::string& path);
  static Result<Catalog> parse(const boost::json::value& doc);

  const TaskSpec* find_task(std::string_view name) const;
  // By name, slug or alias (case-sensitive for names, as deAPI is).
  const ModelSpec* find_model(std::string_view name) const;
  // The task whose second-dialect input.mode is `mode`; nullptr if none.
  const TaskSpec* find_task_by_mode(std::string_view mode) const;
  // The parameter a second-dialect input field stands for ("num_inference_steps" ->
  // "steps"); the name itself when the catalog maps it to nothing else.
  std::string_view dialect_field(std::string_view input_name) const;
  const std::vector<TaskSpec>& tasks() const { return tasks_; }
  const FileLimits& file_limits() const { return file_limits_; }
  // The largest upload `field` may carry (its kind's limit).
  std::size_t file_limit(std::string_view field) const { return file_limits_.of(file_kind_of(field)); }
  // The most bytes of files one request for `task` may carry: each file field (optional
  // ones too) at its limit, times the parts a model takes of it (images[]).
  std::size_t files_limit(const TaskSpec& task) const;
  const std::vector<ModelSpec>& models() const { return models_; }

  // The model a request without `model` gets: the first one serving `task` (the
  // prompt helpers, whose SDK calls name no model); nullptr if none does.
  const ModelSpec* default_model(std::string_view task) const;

  // Validates a submit body for `task` (SPEC §3): `model` required and serving the
  // task; every model parameter typed and in bounds; required ones present; unknown
  // fields rejected. `reserved` lists body fields the caller validates itself
  // (webhook_url, return_result_in_response, ...). `present_files` names multipart
  // file fields that came with the request. `from_form`: values came from
  // multipart/form-data as strings, so numbers and booleans are parsed from text
  // and an empty value counts as absent. Laravel-style messages:
  // "The prompt field is required.". JSON null counts as absent too. seed -1 stays
  // -1 (the caller picks the random seed).
  std::expected<ValidatedRequest, FieldErrors> validate(std::string_view task,
                                                        const boost::json::object& body,
                                                        const std::vector<std::string>& reserved,
                                                        const std::vector<std::string>& present_files,
                                                        bool from_form = false,
                                                        ValidationMode mode = ValidationMode::Submit) const;

  // Price of a validated request from the model's pricing, rounded to 6 decimals.
  double price(const ValidatedRequest& request) const;

  // GET /api/v1/client/models item for one model (deAPI shape): name (display),
  // slug (what to send as `model`), inference_types, info{limits,features,defaults},
  // parameters[], pricing{}, and languages[] for speech models.
  boost::json::object describe(const ModelSpec& model) const;

 private:
  std::vector<TaskSpec> tasks_;
  std::vector<ModelSpec> models_;
  std::vector<std::pair<std::string, std::string>> dialect_fields_;  // input name -> parameter
  FileLimits file_limits_;
};

}  // namespace genq::catalog
