#include "genq/api/pagination.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <charconv>
#include <optional>

namespace genq::api {
namespace {

std::optional<std::int64_t> positive_int(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < 1) return std::nullopt;
  return value;
}

}  // namespace

std::int64_t PageRequest::offset() const {
  constexpr std::int64_t kFarPastTheEnd = std::int64_t{1} << 40;
  return page > kFarPastTheEnd / per_page ? kFarPastTheEnd : (page - 1) * per_page;
}

PageRequest read_page_request(const http::Request& request, http::FieldProblems& problems) {
  const auto page_param = request.query_param("page");
  const auto per_page_param = request.query_param("per_page");
  const auto page = positive_int(page_param);
  const auto per_page = positive_int(per_page_param);
  if (page_param && !page) problems.push_back({"page", {"The page field must be an integer of at least 1."}});
  if (per_page_param && (!per_page || *per_page > 100)) {
    problems.push_back({"per_page", {"The per page field must be an integer between 1 and 100."}});
  }
  PageRequest out;
  out.page = page.value_or(1);
  out.per_page = per_page && *per_page <= 100 ? *per_page : 15;
  out.per_page_given = per_page.has_value();
  return out;
}

boost::json::object paginated(boost::json::array data, const PageRequest& page, std::int64_t total,
                              const std::string& path) {
  const std::int64_t n = page.per_page;
  const std::int64_t last_page = std::max<std::int64_t>(1, (total + n - 1) / n);
  auto page_url = [&](std::int64_t k) -> boost::json::value {
    if (k < 1 || k > last_page) return nullptr;
    std::string url = path + "?page=" + std::to_string(k);
    if (page.per_page_given) url += "&per_page=" + std::to_string(n);
    for (const auto& [name, value] : page.filters) {
      url += "&" + name + "=" + boost::urls::encode(value, boost::urls::unreserved_chars);
    }
    return boost::json::string(url);
  };
  const auto count = static_cast<std::int64_t>(data.size());
  const std::int64_t from = page.offset();
  boost::json::object meta{{"current_page", page.page},
                           {"from", count == 0 ? boost::json::value(nullptr) : boost::json::value(from + 1)},
                           {"last_page", last_page},
                           {"path", path},
                           {"per_page", n},
                           {"to", count == 0 ? boost::json::value(nullptr) : boost::json::value(from + count)},
                           {"total", total}};
  boost::json::object links{{"first", page_url(1)}, {"last", page_url(last_page)}, {"prev", page_url(page.page - 1)},
                            {"next", page_url(page.page + 1)}};
  return boost::json::object{{"data", std::move(data)}, {"links", std::move(links)}, {"meta", std::move(meta)}};
}

}  // namespace genq::api
