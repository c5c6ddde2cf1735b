#include "genq/bus/redis/change_message.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace genq::bus {
namespace json = boost::json;

std::string encode_change(const Job& job, std::string_view origin) {
  json::object o;
  o["o"] = origin;
  o["i"] = job.id;
  o["c"] = job.client_id;
  o["m"] = job.model;
  o["s"] = to_string(job.status);
  if (job.progress) o["p"] = *job.progress;
  o["v"] = job.version;
  o["q"] = job.seq;
  return json::serialize(o);
}

std::optional<ChangeMessage> decode_change(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const json::object& o = value.get_object();
  auto text_field = [&o](const char* key) -> const json::string* {
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() ? &it->value().get_string() : nullptr;
  };
  const json::string* origin = text_field("o");
  const json::string* id = text_field("i");
  const json::string* client = text_field("c");
  const json::string* model = text_field("m");
  const json::string* status_text = text_field("s");
  if (!origin || !id || id->empty() || !client || !model || !status_text) return std::nullopt;
  auto status = parse_job_status(*status_text);
  if (!status) return std::nullopt;
  ChangeMessage m{std::string(*origin), std::string(*id), std::string(*client), std::string(*model), *status,
                  std::nullopt, 0};
  if (auto it = o.find("p"); it != o.end()) {
    if (!it->value().is_number()) return std::nullopt;
    m.progress = it->value().to_number<double>(ec);
    if (ec) return std::nullopt;
  }
  if (auto it = o.find("v"); it != o.end()) {
    if (!it->value().is_int64() && !it->value().is_uint64()) return std::nullopt;
    m.version = it->value().to_number<std::int64_t>(ec);
    if (ec) return std::nullopt;
  }
  if (auto it = o.find("q"); it != o.end()) {
    if (!it->value().is_int64() && !it->value().is_uint64()) return std::nullopt;
    m.seq = it->value().to_number<std::int64_t>(ec);
    if (ec) return std::nullopt;
  }
  return m;
}

}  // namespace genq::bus
