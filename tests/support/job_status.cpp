#include "support/job_status.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <thread>

#include "support/wait.hpp"

namespace genq::testing {

std::string StatusTrace::describe() const {
  std::string text;
  for (const auto& status : statuses) {
    text += (text.empty() ? "" : " → ") + status;
  }
  text += "; progress";
  for (const double value : progress) {
    text += " " + std::to_string(value);
  }
  text += "; " + std::to_string(previews.size()) + " previews";
  if (last) {
    text += "; last " + boost::json::serialize(*last);
  }
  if (!last_error.empty()) {
    text += "; last error " + last_error;
  }
  return text;
}

bool StatusTrace::saw(std::string_view status) const {
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

std::optional<boost::json::object> read_status(const HttpClient& client,
                                               const std::string& request_id,
                                               std::string* error) {
  const auto response = client.get("/api/v1/client/request-status/" + request_id);
  if (response.status != 200) {
    if (error != nullptr) {
      *error = response.describe();
    }
    return std::nullopt;
  }
  try {
    const auto body = response.json();
    const auto* data = json_at(body, "/data");
    if (data != nullptr && data->is_object()) {
      return data->get_object();
    }
  } catch (const std::exception& e) {
    if (error != nullptr) {
      *error = e.what();
    }
    return std::nullopt;
  }
  if (error != nullptr) {
    *error = "no data object: " + response.describe();
  }
  return std::nullopt;
}

std::optional<boost::json::object> poll_status(const HttpClient& client,
                                               const std::string& request_id,
                                               const StatusPredicate& until,
                                               std::chrono::milliseconds timeout,
                                               StatusTrace* trace) {
  std::optional<boost::json::object> match;
  wait_until(timeout, [&] {
    std::string error;
    auto data = read_status(client, request_id, &error);
    if (!data) {
      if (trace != nullptr) {
        trace->last_error = error;
      }
      return false;
    }
    if (trace != nullptr) {
      const std::string status = field(*data, "status");
      if (trace->statuses.empty() || trace->statuses.back() != status) {
        trace->statuses.push_back(status);
      }
      if (const auto progress = progress_of(*data);
          progress && (trace->progress.empty() || trace->progress.back() != *progress)) {
        trace->progress.push_back(*progress);
      }
      if (const auto progress = progress_of(*data);
          progress && *progress > 0 && status == "processing" &&
          (trace->running_progress.empty() || trace->running_progress.back() != *progress)) {
        trace->running_progress.push_back(*progress);
      }
      if (const auto* value = data->if_contains("progress"); value == nullptr || !value->is_number()) {
        trace->non_number_progress.push_back(value == nullptr ? "<absent>" : boost::json::serialize(*value));
      }
      if (const std::string preview = field(*data, "preview");
          !preview.empty() && (trace->previews.empty() || trace->previews.back() != preview)) {
        trace->previews.push_back(preview);
      }
      trace->last = *data;
    }
    if (until(*data)) {
      match = std::move(*data);
      return true;
    }
    return false;
  });
  return match;
}

StatusPredicate status_is(std::string status) {
  return [status = std::move(status)](const boost::json::object& data) {
    return field(data, "status") == status;
  };
}

StatusPredicate is_final() {
  return [](const boost::json::object& data) {
    const std::string status = field(data, "status");
    return status == "done" || status == "error";
  };
}

StatusPredicate has_progress() {
  return [](const boost::json::object& data) {
    const auto progress = progress_of(data);
    return field(data, "status") == "processing" && progress && *progress > 0;
  };
}

StatusPredicate is_started() {
  return [](const boost::json::object& data) {
    const std::string status = field(data, "status");
    return status == "processing" || status == "done" || status == "error";
  };
}

std::string field(const boost::json::object& data, std::string_view name) {
  const auto* value = data.if_contains(name);
  if (value == nullptr || value->is_null()) {
    return {};
  }
  if (value->is_string()) {
    return std::string(value->get_string());
  }
  return boost::json::serialize(*value);
}

std::optional<double> progress_of(const boost::json::object& data) {
  const auto* value = data.if_contains("progress");
  if (value == nullptr || value->is_null()) {
    return std::nullopt;
  }
  if (value->is_number()) {
    return value->to_number<double>();
  }
  if (value->is_string()) {
    const auto text = value->get_string();
    double parsed = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec == std::errc() && end == text.data() + text.size()) {
      return parsed;
    }
  }
  return std::nullopt;
}

}  // namespace genq::testing
