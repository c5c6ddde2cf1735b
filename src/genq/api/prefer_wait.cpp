#include "genq/api/prefer_wait.hpp"

#include <boost/beast/core/string.hpp>

#include <charconv>
#include <string_view>

#include "genq/core/text.hpp"

namespace genq::api {
namespace {

Error bad_wait() {
  return Error::invalid("The Prefer header's wait must be a whole number of seconds from 1 to 60, as in "
                        "\"Prefer: wait=30\".");
}

}  // namespace

Result<std::optional<std::chrono::seconds>> read_prefer_wait(const http::Request& request) {
  const std::string header = request.header("Prefer");
  std::string_view rest = header;
  // Preferences are comma-separated; each is `token [= value] *( ; parameter )`.
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view preference = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    preference = trim_blanks(preference.substr(0, preference.find(';')));
    const std::size_t equals = preference.find('=');
    if (!boost::beast::iequals(trim_blanks(preference.substr(0, equals)), "wait")) continue;
    if (equals == std::string_view::npos) return std::optional<std::chrono::seconds>(kLongestPreferWait);
    std::string_view value = trim_blanks(preference.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    long long seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() || seconds < 1 ||
        seconds > kLongestPreferWait.count()) {
      return fail(bad_wait());
    }
    return std::optional<std::chrono::seconds>(std::chrono::seconds(seconds));
  }
  return std::optional<std::chrono::seconds>();
}

void hold_until_final(Services& services, const std::string& job_id, std::chrono::seconds wait,
                      std::function<void(Result<Job> job, bool final)> answer) {
  services.waiters.wait(
      job_id, services.jobs.clock().now() + wait,
      [&services, job_id, answer = std::move(answer)](std::optional<Job> final_job) {
        if (final_job) return answer(std::move(*final_job), true);
        // The wait ran out: answer the job as it stands now, read without blocking.
        services.jobs.get(job_id, [answer](Result<Job> job) {
          const bool final = job && is_final(job->status);
          answer(std::move(job), final);
        });
      });
}

void add_prefer_wait_headers(http::Response& response, std::chrono::seconds wait, bool final,
                             const std::string& status_url) {
  response.headers.emplace_back("Preference-Applied", "wait=" + std::to_string(wait.count()));
  if (!final) response.headers.emplace_back("Location", status_url);
}

}  // namespace genq::api
