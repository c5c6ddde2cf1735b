#include "genq/service/inline_result.hpp"

namespace genq {
namespace {
constexpr std::string_view kPrefix = "results/";
constexpr std::string_view kJsonName = "/result.json";
constexpr std::string_view kTextName = "/result.txt";
}  // namespace

std::string inline_result_key(std::string_view job_id, bool is_json) {
  std::string key(kPrefix);
  key += job_id;
  key += is_json ? kJsonName : kTextName;
  return key;
}

std::optional<std::string> job_of_inline_result_key(std::string_view key) {
  if (!key.starts_with(kPrefix)) return std::nullopt;
  key.remove_prefix(kPrefix.size());
  for (std::string_view name : {kJsonName, kTextName}) {
    if (key.size() > name.size() && key.ends_with(name)) {
      std::string_view id = key.substr(0, key.size() - name.size());
      if (id.find('/') == std::string_view::npos) return std::string(id);
    }
  }
  return std::nullopt;
}

}  // namespace genq
