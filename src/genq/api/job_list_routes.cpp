#include "genq/api/job_list_routes.hpp"

#include <boost/json.hpp>

#include "genq/api/guards.hpp"
#include "genq/api/pagination.hpp"
#include "genq/api/status_view.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

// ?status= reads as the status document shows it: processing covers the store's
// processing and in_progress.
std::optional<std::vector<JobStatus>> statuses_named(std::string_view name) {
  if (name == "pending") return std::vector{JobStatus::Pending};
  if (name == "processing") return std::vector{JobStatus::Processing, JobStatus::InProgress};
  if (name == "done") return std::vector{JobStatus::Done};
  if (name == "error") return std::vector{JobStatus::Error};
  return std::nullopt;
}

// Page, ?status= and ?task=; problems for bad values.
JobListQuery read_list_query(Services& services, const http::Request& request, PageRequest& page,
                             http::FieldProblems& problems) {
  JobListQuery query;
  page = read_page_request(request, problems);
  if (auto status = request.query_param("status")) {
    if (auto statuses = statuses_named(*status)) {
      query.statuses = std::move(*statuses);
      page.filters.emplace_back("status", *status);
    } else {
      problems.push_back({"status", {"The status field must be one of pending, processing, done, error."}});
    }
  }
  if (auto task = request.query_param("task")) {
    if (services.catalog.find_task(*task)) {
      query.task = *task;
      page.filters.emplace_back("task", *task);
    } else {
      problems.push_back({"task", {"The selected task is invalid."}});
    }
  }
  return query;
}

// One page of `query` as the list answers it; `admin` items as the admin job view.
http::Response list_answer(Services& services, JobListQuery query, const PageRequest& page, bool admin,
                           const std::string& path) {
  query.offset = page.offset();
  query.limit = page.per_page;
  auto listed = services.jobs.store().list_jobs(query);
  if (!listed) return http::response_for(listed.error());
  boost::json::array data;
  data.reserve(listed->jobs.size());
  for (const Job& job : listed->jobs) {
    boost::json::object item = admin ? render_admin_status(job, services) : render_status(job, services);
    item["preview"] = nullptr;  // a list never carries base64 previews
    data.push_back(std::move(item));
  }
  return http::json_response(200, paginated(std::move(data), page, listed->total, services.signer.public_base() + path));
}

// GET /api/v1/client/jobs?page=&per_page=&status=&task=
void handle_client_jobs(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  http::FieldProblems problems;
  PageRequest page;
  JobListQuery query = read_list_query(services, request, page, problems);
  if (!problems.empty()) return reply(http::validation_error(problems));
  query.client_id = client.id;
  reply(list_answer(services, std::move(query), page, false, "/api/v1/client/jobs"));
}

// GET /api/v1/admin/jobs?page=&per_page=&status=&task=&client_id=
void handle_admin_jobs(Services& services, http::Request& request, http::Reply reply) {
  http::FieldProblems problems;
  PageRequest page;
  JobListQuery query = read_list_query(services, request, page, problems);
  if (auto client_id = request.query_param("client_id")) {
    if (client_id->empty() || client_id->size() > 200) {
      problems.push_back({"client_id", {"The client id field must be a string of 1 to 200 characters."}});
    } else {
      query.client_id = *client_id;
      page.filters.emplace_back("client_id", *client_id);
    }
  }
  if (!problems.empty()) return reply(http::validation_error(problems));
  reply(list_answer(services, std::move(query), page, true, "/api/v1/admin/jobs"));
}

}  // namespace

void add_client_job_list_routes(http::Router& router, Services& services) {
  // Pool: a page is a database read.
  router.add(for_clients(services, {http::Verb::get, "/api/v1/client/jobs", client_route(services, handle_client_jobs),
                                    http::Exec::Pool, 0, false, "jobs"}));
}

void add_admin_job_list_routes(http::Router& router, Services& services) {
  router.add(for_admins(services, {http::Verb::get, "/api/v1/admin/jobs", admin_route(services, handle_admin_jobs),
                                   http::Exec::Pool, 0, false, "admin-jobs"}));
}

}  // namespace genq::api
