#include "genq/store/postgres/job_row.hpp"
#include "genq/store/sealed_secrets.hpp"

#include <array>

namespace genq::postgres {
namespace {

constexpr std::array<const char*, 36> kColumns = {"seq",          "id",
                                                  "client_id",    "task",
                                                  "model",        "params_json",
                                                  "inputs_json",  "dialect",
                                                  "status",       "progress",
                                                  "preview_jpeg", "result_blob",
                                                  "result_mime",  "result_text",
                                                  "error",        "attempts",
                                                  "max_attempts", "worker_id",
                                                  "lease_id",     "lease_expires_at",
                                                  "webhook_url",  "webhook_secret",
                                                  "created_at",   "started_at",
                                                  "finished_at",  "version",
                                                  "upload_blob",  "upload_mime",
                                                  "submit_request_id", "priority",
                                                  "cancel_after_ms", "start_deadline",
                                                  "execution_timeout_ms", "run_deadline",
                                                  "webhook_events", "failure_detail"};

}  // namespace

std::string job_columns(std::string_view alias) {
  std::string out;
  for (const char* column : kColumns) {
    if (!out.empty()) {
      out += ", ";
    }
    if (!alias.empty()) {
      out += alias;
      out += '.';
    }
    out += column;
  }
  return out;
}

const std::string& job_columns() {
  static const std::string kList = job_columns("");
  return kList;
}

const std::string& listed_job_columns() {
  static const std::string kList = [] {
    std::string columns = job_columns("");
    const std::string preview = "preview_jpeg";
    columns.replace(columns.find(preview), preview.size(), "''::bytea AS preview_jpeg");
    return columns;
  }();
  return kList;
}

std::string_view to_column(Dialect dialect) { return dialect == Dialect::Task ? "task" : "client"; }

Result<Job> read_job(const Rows& rows, int row) {
  Job job;
  job.seq = rows.int64(row, 0);
  job.id = rows.text(row, 1);
  job.client_id = rows.text(row, 2);
  job.task = rows.text(row, 3);
  job.model = rows.text(row, 4);
  job.params_json = rows.text(row, 5);
  job.inputs_json = rows.text(row, 6);
  const std::string dialect = rows.text(row, 7);
  if (dialect != "client" && dialect != "task") {
    return fail(Error::internal("job " + job.id + " has unknown dialect '" + dialect + "'"));
  }
  job.dialect = dialect == "task" ? Dialect::Task : Dialect::Client;
  const std::string status = rows.text(row, 8);
  std::optional<JobStatus> parsed = parse_job_status(status);
  if (!parsed) {
    return fail(Error::internal("job " + job.id + " has unknown status '" + status + "'"));
  }
  job.status = *parsed;
  job.progress = rows.optional_real(row, 9);
  job.preview_jpeg = rows.bytes(row, 10);
  job.result_blob = rows.text(row, 11);
  job.result_mime = rows.text(row, 12);
  job.result_text = rows.optional_text(row, 13);
  job.error = rows.text(row, 14);
  job.attempts = static_cast<int>(rows.int64(row, 15));
  job.max_attempts = static_cast<int>(rows.int64(row, 16));
  job.worker_id = rows.text(row, 17);
  job.lease_id = rows.text(row, 18);
  job.lease_expires_at = rows.optional_time(row, 19);
  job.webhook_url = rows.text(row, 20);
  job.webhook_secret = open_secret(rows.text(row, 21));
  job.created_at = rows.time(row, 22);
  job.started_at = rows.optional_time(row, 23);
  job.finished_at = rows.optional_time(row, 24);
  job.version = rows.int64(row, 25);
  job.upload_blob = rows.text(row, 26);
  job.upload_mime = rows.text(row, 27);
  job.submit_request_id = rows.text(row, 28);
  job.priority = priority_from_int(rows.int64(row, 29));
  job.cancel_after = Millis(rows.int64(row, 30));
  job.start_deadline = rows.optional_time(row, 31);
  job.execution_timeout = Millis(rows.int64(row, 32));
  job.run_deadline = rows.optional_time(row, 33);
  job.webhook_events = rows.text(row, 34);
  job.failure_detail = rows.text(row, 35);
  return job;
}

Result<std::vector<Job>> read_jobs(const Rows& rows) {
  std::vector<Job> jobs;
  jobs.reserve(static_cast<std::size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row) {
    Result<Job> job = read_job(rows, row);
    if (!job) {
      return fail(std::move(job.error()));
    }
    jobs.push_back(std::move(*job));
  }
  return jobs;
}

Result<std::optional<Job>> read_optional_job(const Rows& rows) {
  if (rows.empty()) {
    return std::optional<Job>();
  }
  Result<Job> job = read_job(rows, 0);
  if (!job) {
    return fail(std::move(job.error()));
  }
  return std::optional<Job>(std::move(*job));
}

}  // namespace genq::postgres
