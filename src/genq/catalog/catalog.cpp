// Loading the catalog file (config/models.json); the lookups are in lookup.cpp.
//
// File format (every object may carry "$comment"-style keys starting with '$'; any
// other unknown key is an error, so a misspelt "requried" cannot pass silently):
//   {"tasks":  [{"name":"txt2img", "title":"Text To Image", "output":"image",
//                "file_fields":["image"], "optional_files":["images"],
//                "mode":"text-to-image"}, ...],
//    "models": [{"name":"Flux1schnell", "display_name":"...", "slug":"flux1schnell",
//                "aliases":["flux-1-schnell"], "description":"...",
//                "inference_types":["txt2img"],
//                "parameters":[{"name":"width", "type":"integer", "required":false,
//                               "default":1024, "min":256, "max":2048, "step":8,
//                               "allowed":[...], "random_seed":false,
//                               "required_without":[...], "required_if":["mode","voice_clone"],
//                               "max_files":1, "max_items":0, "description":"..."}, ...],
//                "info":{"limits":{...}, "features":{...}},
//                "languages":[...], "loras":[{"name":"...", ...}],
//                "pricing":{"base":0, "per_step":0, "per_megapixel":0, "per_second":0,
//                           "per_1k_chars":0, "currency":"USD"},
//                "deadlines":{"cancel_after":600, "execution_timeout":300},
//                "backend":{"type":"synthetic", ...}}, ...],
//    "dialect_fields": {"num_inference_steps":"steps", ...},
//    "file_limits": {"image":10485760, "audio":83886080, "video":83886080}}
// "backend" is read by the worker, not here (only its string "type" is checked):
// synthetic, exec (runner/backends/exec_config.cpp) or http (http_config.cpp); see
// docs/worker-backends.md.
// file_limits (optional, bytes): the largest upload of each kind; a file field's kind
// comes from its name (catalog/file_inputs.hpp).
// dialect_fields (optional): second-dialect input field names (SPEC §6) that mean a
// parameter of another name; input fields not listed there are parameter names.
// Parameter types: integer, number, string, boolean, file. For strings min/max bound
// the length in characters. Defaults and enum values are checked against their own
// parameter at load time.
#include "genq/catalog/catalog.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/system/error_code.hpp>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>

#include "genq/catalog/name_list.hpp"
#include "genq/catalog/param_check.hpp"

namespace genq::catalog {
namespace json = boost::json;

namespace {

// Thrown inside the loader only; Catalog::parse turns it into Error::invalid.
struct BadEntry {
  std::string message;
};

[[noreturn]] void fail_at(const std::string& where, const std::string& what) {
  throw BadEntry{where + ": " + what};
}

// One JSON object of the file. Remembers where it is, for messages, and which keys
// were read, so reject_unknown() can report the rest.
class Fields {
 public:
  Fields(const json::value& v, std::string where) : where_(std::move(where)) {
    if (!v.is_object()) {
      fail_at(where_, "must be an object");
    }
    object_ = &v.get_object();
  }

  const std::string& where() const { return where_; }

  const json::value* get(std::string_view key) {
    read_.emplace_back(key);
    const json::value* v = object_->if_contains(key);
    return v != nullptr && v->is_null() ? nullptr : v;
  }

  std::string string(std::string_view key, bool required, std::string fallback = {}) {
    const json::value* v = get(key);
    if (v == nullptr) {
      if (required) {
        fail_at(where_, "\"" + std::string(key) + "\" is required");
      }
      return fallback;
    }
    if (!v->is_string()) {
      fail_at(where_, "\"" + std::string(key) + "\" must be a string");
    }
    return std::string(v->get_string());
  }

  bool boolean(std::string_view key, bool fallback) {
    const json::value* v = get(key);
    if (v == nullptr) {
      return fallback;
    }
    if (!v->is_bool()) {
      fail_at(where_, "\"" + std::string(key) + "\" must be true or false");
    }
    return v->get_bool();
  }

  std::optional<double> number(std::string_view key) {
    const json::value* v = get(key);
    if (v == nullptr) {
      return std::nullopt;
    }
    if (!v->is_number()) {
      fail_at(where_, "\"" + std::string(key) + "\" must be a number");
    }
    return v->to_number<double>();
  }

  const json::array* array(std::string_view key, bool required) {
    const json::value* v = get(key);
    if (v == nullptr) {
      if (required) {
        fail_at(where_, "\"" + std::string(key) + "\" is required");
      }
      return nullptr;
    }
    if (!v->is_array()) {
      fail_at(where_, "\"" + std::string(key) + "\" must be an array");
    }
    return &v->get_array();
  }

  std::vector<std::string> strings(std::string_view key, bool required = false) {
    std::vector<std::string> out;
    const json::array* a = array(key, required);
    if (a == nullptr) {
      return out;
    }
    for (const json::value& item : *a) {
      if (!item.is_string() || item.get_string().empty()) {
        fail_at(where_, "\"" + std::string(key) + "\" must hold non-empty strings");
      }
      if (contains(out, item.get_string())) {
        fail_at(where_,
                "\"" + std::string(key) + "\" lists \"" + std::string(item.get_string()) + "\" twice");
      }
      out.emplace_back(item.get_string());
    }
    return out;
  }

  json::value object_or_empty(std::string_view key) {
    const json::value* v = get(key);
    if (v == nullptr) {
      return json::object();
    }
    if (!v->is_object()) {
      fail_at(where_, "\"" + std::string(key) + "\" must be an object");
    }
    return *v;
  }

  void reject_unknown() const {
    for (const auto& item : *object_) {
      if (!item.key().starts_with("$") && !contains(read_, item.key())) {
        fail_at(where_, "unknown key \"" + std::string(item.key()) + "\"");
      }
    }
  }

 private:
  std::string where_;
  const json::object* object_ = nullptr;
  std::vector<std::string> read_;
};

std::optional<ParamType> parse_param_type(std::string_view s) {
  for (ParamType t :
       {ParamType::Integer, ParamType::Number, ParamType::String, ParamType::Boolean, ParamType::File,
        ParamType::Loras}) {
    if (param_type_text(t) == s) {
      return t;
    }
  }
  return std::nullopt;
}

TaskSpec parse_task(const json::value& v, std::size_t index) {
  Fields f(v, "tasks[" + std::to_string(index) + "]");
  TaskSpec t;
  t.name = f.string("name", true);
  Fields named(v, "task " + t.name);
  t.title = named.string("title", false, t.name);
  const std::string output = named.string("output", true);
  auto kind = parse_output_kind(output);
  if (!kind) {
    fail_at(named.where(), "unknown output \"" + output + "\"");
  }
  t.output = *kind;
  t.file_fields = named.strings("file_fields");
  t.optional_files = named.strings("optional_files");
  t.dialect_mode = named.string("mode", false);
  named.get("name");
  named.reject_unknown();
  return t;
}

ParamSpec parse_param(const json::value& v, const std::string& model_where, std::size_t index) {
  Fields first(v, model_where + ": parameters[" + std::to_string(index) + "]");
  ParamSpec p;
  p.name = first.string("name", true);
  Fields f(v, model_where + ": parameter " + p.name);
  f.get("name");
  const std::string type = f.string("type", true);
  auto parsed_type = parse_param_type(type);
  if (!parsed_type) {
    fail_at(f.where(), "unknown type \"" + type + "\"");
  }
  p.type = *parsed_type;
  p.required = f.boolean("required", false);
  p.required_without = f.strings("required_without");
  p.description = f.string("description", false);
  p.min = f.number("min");
  p.max = f.number("max");
  p.step = f.number("step");
  p.nullable_random_seed = f.boolean("random_seed", false);
  if (auto max_files = f.number("max_files")) {
    if (p.type != ParamType::File || *max_files < 1 || *max_files > 16 || *max_files != static_cast<int>(*max_files)) {
      fail_at(f.where(), "max_files is a whole number from 1 to 16, on a file");
    }
    p.max_files = static_cast<int>(*max_files);
  }
  if (auto max_items = f.number("max_items")) {
    if (p.type != ParamType::String || *max_items < 1 || *max_items > 10'000 ||
        *max_items != static_cast<int>(*max_items)) {
      fail_at(f.where(), "max_items is a whole number from 1 to 10000, on a string");
    }
    p.max_items = static_cast<int>(*max_items);
  }
  if (const json::array* required_if = f.array("required_if", false)) {
    if (required_if->size() != 2 || !(*required_if)[0].is_string() || !(*required_if)[1].is_string()) {
      fail_at(f.where(), "required_if is [\"field\", \"value\"]");
    }
    p.required_if.emplace(std::string((*required_if)[0].get_string()), std::string((*required_if)[1].get_string()));
  }

  const bool numeric = p.type == ParamType::Integer || p.type == ParamType::Number;
  if ((p.min || p.max) && !numeric && p.type != ParamType::String && p.type != ParamType::Loras) {
    fail_at(f.where(), "min/max apply to numbers, strings and lora weights only");
  }
  if (p.min && p.max && *p.min > *p.max) {
    fail_at(f.where(), "min is greater than max");
  }
  if (p.step && (!numeric || *p.step <= 0)) {
    fail_at(f.where(), "step must be positive and on a number");
  }
  if (p.nullable_random_seed && p.type != ParamType::Integer) {
    fail_at(f.where(), "random_seed applies to integers only");
  }
  if (!p.required_without.empty() && p.type != ParamType::File) {
    fail_at(f.where(), "required_without applies to files only");
  }
  if (const json::array* allowed = f.array("allowed", false)) {
    if (p.type == ParamType::File || p.type == ParamType::Boolean || p.type == ParamType::Loras) {
      fail_at(f.where(), "allowed applies to integers, numbers and strings only");
    }
    for (const json::value& item : *allowed) {
      auto coerced = detail::coerce(p, item, false);
      if (!coerced) {
        fail_at(f.where(), "allowed value " + json::serialize(item) + " is not a " + type);
      }
      p.allowed.push_back(detail::canonical_text(*coerced));
    }
    if (p.allowed.empty()) {
      fail_at(f.where(), "allowed must not be empty");
    }
  }
  if (const json::value* d = f.get("default")) {
    if (p.type == ParamType::File) {
      fail_at(f.where(), "a file cannot have a default");
    }
    if (p.required) {
      fail_at(f.where(), "a required parameter cannot have a default");
    }
    auto checked = detail::check_value(p, *d, false);
    if (!checked) {
      fail_at(f.where(), "default " + json::serialize(*d) + ": " + checked.error().front());
    }
    p.default_value = std::move(*checked);
  }
  f.reject_unknown();
  return p;
}

Pricing parse_pricing(Fields& model) {
  Pricing pr;
  const json::value* v = model.get("pricing");
  if (v == nullptr) {
    return pr;
  }
  Fields f(*v, model.where() + ": pricing");
  auto rate = [&](std::string_view key) {
    double r = f.number(key).value_or(0);
    if (!(r >= 0)) {
      fail_at(f.where(), "\"" + std::string(key) + "\" must not be negative");
    }
    return r;
  };
  pr.base = rate("base");
  pr.per_step = rate("per_step");
  pr.per_megapixel = rate("per_megapixel");
  pr.per_second = rate("per_second");
  pr.per_1k_chars = rate("per_1k_chars");
  pr.currency = f.string("currency", false, "USD");
  f.reject_unknown();
  return pr;
}

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

ModelSpec parse_model(const json::value& v, std::size_t index, const std::vector<TaskSpec>& tasks) {
  ModelSpec m;
  m.name = Fields(v, "models[" + std::to_string(index) + "]").string("name", true);
  Fields f(v, "model " + m.name);
  f.get("name");
  m.display_name = f.string("display_name", false, m.name);
  m.slug = f.string("slug", false, lowercase(m.name));
  m.aliases = f.strings("aliases");
  m.description = f.string("description", false);
  m.tasks = f.strings("inference_types", true);
  if (m.tasks.empty()) {
    fail_at(f.where(), "\"inference_types\" must not be empty");
  }
  for (const std::string& t : m.tasks) {
    if (std::none_of(tasks.begin(), tasks.end(), [&](const TaskSpec& s) { return s.name == t; })) {
      fail_at(f.where(), "unknown task \"" + t + "\" in inference_types");
    }
  }
  if (const json::array* params = f.array("parameters", false)) {
    for (std::size_t i = 0; i < params->size(); ++i) {
      ParamSpec p = parse_param((*params)[i], f.where(), i);
      if (p.name == "model" || m.find_param(p.name) != nullptr) {
        fail_at(f.where(), "parameter \"" + p.name + "\" is reserved or listed twice");
      }
      m.params.push_back(std::move(p));
    }
  }
  if (const json::value* info = f.get("info")) {
    Fields fi(*info, f.where() + ": info");
    m.limits = fi.object_or_empty("limits");
    m.features = fi.object_or_empty("features");
    fi.reject_unknown();
  } else {
    m.limits = json::object();
    m.features = json::object();
  }
  if (const json::array* languages = f.array("languages", false)) {
    m.languages = *languages;
  }
  if (const json::array* loras = f.array("loras", false)) {
    for (const json::value& lora : *loras) {
      if (!lora.is_object() || !lora.get_object().contains("name") || !lora.get_object().at("name").is_string()) {
        fail_at(f.where(), "every entry of \"loras\" is an object with a string \"name\"");
      }
    }
    m.loras = *loras;
  }
  m.pricing = parse_pricing(f);
  if (const json::value* deadlines = f.get("deadlines")) {
    Fields fd(*deadlines, f.where() + ": deadlines");
    auto seconds = [&](std::string_view key) -> std::int64_t {
      std::optional<double> n = fd.number(key);
      if (!n) return 0;
      if (*n < 1 || *n > 86'400 || *n != std::floor(*n)) {
        fail_at(fd.where(), "\"" + std::string(key) + "\" must be a whole number of seconds from 1 to 86400");
      }
      return static_cast<std::int64_t>(*n);
    };
    m.deadlines.cancel_after_s = seconds("cancel_after");
    m.deadlines.execution_timeout_s = seconds("execution_timeout");
    fd.reject_unknown();
  }
  const json::value* backend = f.get("backend");
  if (backend == nullptr || !backend->is_object() || !backend->get_object().contains("type") ||
      !backend->get_object().at("type").is_string()) {
    fail_at(f.where(), "\"backend\" must be an object with a string \"type\"");
  }
  m.backend = *backend;
  f.reject_unknown();

  // Files: a model serving a task declares at least one of its file_fields (its
  // input), or a job could come with no input at all; optional_files only where
  // it takes them (an img2video model without last_frame_image refuses one). Every
  // declared file is taken by some served task, otherwise validation would never
  // accept it.
  for (const TaskSpec& t : tasks) {
    if (!m.serves(t.name) || t.file_fields.empty()) {
      continue;
    }
    const bool declared = std::any_of(t.file_fields.begin(), t.file_fields.end(), [&](const std::string& file) {
      const ParamSpec* p = m.find_param(file);
      return p != nullptr && p->type == ParamType::File;
    });
    if (!declared) {
      fail_at(f.where(), "task " + t.name + " takes file \"" + t.file_fields.front() +
                             "\": declare it as a file parameter");
    }
  }
  for (const ParamSpec& p : m.params) {
    if (p.type == ParamType::Loras && (!m.loras.is_array() || m.loras.get_array().empty())) {
      fail_at(f.where(), "parameter " + p.name + " takes loras: list them in \"loras\"");
    }
    if (p.required_if && p.required) {
      fail_at(f.where(), "parameter " + p.name + ": required_if on a required parameter");
    }
    if (p.type != ParamType::File) {
      continue;
    }
    const bool taken = std::any_of(tasks.begin(), tasks.end(), [&](const TaskSpec& t) {
      return m.serves(t.name) && t.takes_file(p.name);
    });
    if (!taken) {
      fail_at(f.where(), "file parameter \"" + p.name + "\" is in no served task's file_fields");
    }
    for (const std::string& other : p.required_without) {
      const ParamSpec* o = m.find_param(other);
      if (o == nullptr || o->type != ParamType::File) {
        fail_at(f.where(),
                "parameter " + p.name + ": required_without names \"" + other + "\", not a file parameter");
      }
    }
  }
  return m;
}

}  // namespace


Result<Catalog> Catalog::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(Error::not_found("model catalog " + path + ": cannot open"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value doc = json::parse(text.str(), ec);
  if (ec) {
    return fail(Error::invalid("model catalog " + path + ": " + ec.message()));
  }
  auto catalog = parse(doc);
  if (!catalog) {
    return fail(Error::invalid("model catalog " + path + ": " + catalog.error().message));
  }
  return catalog;
}

Result<Catalog> Catalog::parse(const json::value& doc) {
  Catalog c;
  try {
    Fields root(doc, "catalog");
    const json::array* tasks = root.array("tasks", true);
    for (std::size_t i = 0; i < tasks->size(); ++i) {
      TaskSpec t = parse_task((*tasks)[i], i);
      if (c.find_task(t.name) != nullptr) {
        fail_at("task " + t.name, "listed twice");
      }
      if (!t.dialect_mode.empty() && c.find_task_by_mode(t.dialect_mode) != nullptr) {
        fail_at("task " + t.name, "mode \"" + t.dialect_mode + "\" is already another task's");
      }
      c.tasks_.push_back(std::move(t));
    }
    // Every name a model answers to must lead to one model only.
    std::map<std::string, std::string, std::less<>> owner;
    const json::array* models = root.array("models", true);
    for (std::size_t i = 0; i < models->size(); ++i) {
      ModelSpec m = parse_model((*models)[i], i, c.tasks_);
      std::vector<std::string> keys{m.name, m.slug};
      keys.insert(keys.end(), m.aliases.begin(), m.aliases.end());
      for (const std::string& key : keys) {
        auto [it, inserted] = owner.emplace(key, m.name);
        if (!inserted && it->second != m.name) {
          fail_at("model " + m.name, "\"" + key + "\" already names model " + it->second);
        }
      }
      c.models_.push_back(std::move(m));
    }
    if (const json::value* fields = root.get("dialect_fields")) {
      if (!fields->is_object()) fail_at("catalog", "\"dialect_fields\" must be an object");
      for (const auto& [input_name, param] : fields->get_object()) {
        if (input_name.starts_with("$")) continue;
        if (!param.is_string() || param.get_string().empty()) {
          fail_at("dialect_fields", "\"" + std::string(input_name) + "\" must name a parameter");
        }
        c.dialect_fields_.emplace_back(std::string(input_name), std::string(param.get_string()));
      }
    }
    if (const json::value* limits = root.get("file_limits")) {
      Fields f(*limits, "file_limits");
      auto limit = [&f](std::string_view kind, std::size_t& out) {
        if (auto n = f.number(kind)) {
          if (*n < 1 || *n != static_cast<double>(static_cast<std::uint64_t>(*n))) {
            fail_at(f.where(), "\"" + std::string(kind) + "\" must be a positive whole number of bytes");
          }
          out = static_cast<std::size_t>(*n);
        }
      };
      limit("image", c.file_limits_.image);
      limit("audio", c.file_limits_.audio);
      limit("video", c.file_limits_.video);
      f.reject_unknown();
    }
    root.reject_unknown();
  } catch (const BadEntry& e) {
    return fail(Error::invalid(e.message));
  }
  return c;
}

}  // namespace genq::catalog
