#include "genq/api/webhook_events.hpp"

#include <algorithm>
#include <string_view>

namespace genq::api {

const std::vector<std::string>& all_webhook_events() {
  static const std::vector<std::string> kEvents = {"job.processing", "job.completed", "job.failed"};
  return kEvents;
}

std::expected<std::vector<std::string>, std::string> read_webhook_events(const boost::json::value& value,
                                                                         const std::string& field, bool from_form) {
  std::vector<std::string> names;
  if (value.is_array()) {
    for (const auto& entry : value.as_array()) {
      if (!entry.is_string()) names.emplace_back();  // refused below, as an unknown name
      else names.emplace_back(entry.as_string());
    }
  } else if (from_form && value.is_string()) {
    std::string_view text = value.as_string();
    while (!text.empty()) {
      const std::size_t comma = text.find(',');
      std::string_view name = text.substr(0, comma);
      while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
      while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
      names.emplace_back(name);
      text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    }
  } else {
    return std::unexpected("The " + field + " field must be an array.");
  }
  const auto& known = all_webhook_events();
  for (const std::string& name : names) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return std::unexpected("The " + field + " field may only contain job.processing, job.completed and job.failed.");
    }
  }
  return names;
}

}  // namespace genq::api
