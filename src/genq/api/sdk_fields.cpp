#include "genq/api/sdk_fields.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "genq/catalog/param_check.hpp"

namespace genq::api {
namespace {

using catalog::detail::attribute;

struct Rename {
  std::string_view task, from, to;
};
constexpr Rename kFileRenames[] = {{"img2video", "first_frame_image", "image"}};

struct UrlField {
  std::string_view task, field, target;
};
constexpr UrlField kUrlFields[] = {
    {"transcribe", "source_url", "video"}, {"transcribe", "video_url", "video"}, {"transcribe", "audio_url", "audio"},
    {"vid2txt", "video_url", "video"},     {"aud2txt", "audio_url", "audio"},
};

bool has_file(const SubmitBody& body, std::string_view name) { return body.file(name) != nullptr; }

// source_file: a video by its MIME type or extension, else audio (deAPI tells them
// apart the same way).
std::string_view media_kind(const http::FormPart& part) {
  if (part.content_type.starts_with("video/")) return "video";
  if (part.content_type.starts_with("audio/")) return "audio";
  std::string ext = part.filename.substr(part.filename.rfind('.') == std::string::npos ? part.filename.size()
                                                                                        : part.filename.rfind('.') + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (std::string_view video : {"mp4", "m4v", "mov", "mkv", "webm", "avi", "wmv", "mpeg", "mpg"}) {
    if (ext == video) return "video";
  }
  return "audio";
}

// deAPI routes a Twitter/X Spaces link to audio transcription, any other to video.
std::string_view source_url_target(const std::string& url) {
  const bool spaces = url.find("/i/spaces/") != std::string::npos &&
                      (url.find("twitter.com") != std::string::npos || url.find("x.com") != std::string::npos);
  return spaces ? "audio" : "video";
}

void rename_file(SubmitBody& body, std::string_view from, std::string_view to, SdkFields& out) {
  if (!has_file(body, from)) return;
  if (has_file(body, to)) {
    out.errors.add(std::string(from), "The " + attribute(from) + " field cannot be sent together with " +
                                          attribute(to) + ".");
    return;
  }
  for (auto& part : body.files) {
    if (part.name == from) part.name = to;
  }
}

// Form fields name[0][key] -> body.fields[name] = [{key: value, ...}, ...].
void gather_indexed_form_fields(SubmitBody& body) {
  std::map<std::string, std::map<int, boost::json::object>> lists;
  std::vector<std::string> gathered;
  for (const auto& item : body.fields) {
    const std::string_view key = item.key();
    auto open = key.find('[');
    if (open == std::string_view::npos || open == 0 || !key.ends_with("]")) continue;
    auto close = key.find(']', open);
    if (close == std::string_view::npos || close + 1 >= key.size() || key[close + 1] != '[') continue;
    int index = -1;
    auto [end, ec] = std::from_chars(key.data() + open + 1, key.data() + close, index);
    if (ec != std::errc() || end != key.data() + close || index < 0 || index > 100) continue;
    std::string_view sub = key.substr(close + 2, key.size() - close - 3);
    if (sub.empty() || sub.find_first_of("[]") != std::string_view::npos) continue;
    lists[std::string(key.substr(0, open))][index][sub] = item.value();
    gathered.emplace_back(key);
  }
  for (const auto& key : gathered) body.fields.erase(key);
  for (auto& [name, items] : lists) {
    if (body.fields.contains(name)) continue;  // sent both ways: validation refuses the leftovers
    boost::json::array list;
    for (auto& [index, object] : items) list.emplace_back(std::move(object));
    body.fields[name] = std::move(list);
  }
}

}  // namespace

SdkFields adopt_sdk_fields(const std::string& task, SubmitBody& body) {
  SdkFields out;
  for (auto& part : body.files) {
    if (part.name.ends_with("[]")) part.name.resize(part.name.size() - 2);
  }
  if (body.from_form) gather_indexed_form_fields(body);
  for (const Rename& r : kFileRenames) {
    if (r.task == task) rename_file(body, r.from, r.to, out);
  }
  if (task == "transcribe") {
    if (const http::FormPart* source = body.file("source_file")) rename_file(body, "source_file", media_kind(*source), out);
  }
  for (const UrlField& u : kUrlFields) {
    if (u.task != task) continue;
    auto it = body.fields.find(u.field);
    if (it == body.fields.end()) continue;
    const boost::json::value value = it->value();
    body.fields.erase(it);
    if (value.is_null() || (value.is_string() && value.get_string().empty())) continue;
    const std::string field(u.field);
    if (!value.is_string()) {
      out.errors.add(field, "The " + attribute(field) + " field must be a string.");
      continue;
    }
    std::string url(value.get_string());
    std::string target(u.field == "source_url" ? source_url_target(url) : u.target);
    const bool taken = has_file(body, target) || std::any_of(out.urls.begin(), out.urls.end(),
                                                             [&](const UrlInput& o) { return o.target == target; });
    if (taken) {
      out.errors.add(field, "The " + attribute(field) + " field cannot be sent together with another " + target +
                                " input.");
      continue;
    }
    out.urls.push_back({field, target, std::move(url)});
  }
  return out;
}

}  // namespace genq::api
