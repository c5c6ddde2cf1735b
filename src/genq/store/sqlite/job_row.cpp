#include "genq/store/sqlite/job_row.hpp"
#include "genq/store/sealed_secrets.hpp"

#include <cstdint>
#include <optional>

namespace genq::sqlite {

const std::string& job_columns() {
  static const std::string kColumns =
      "seq, id, client_id, task, model, params_json, inputs_json, dialect, status, progress, "
      "preview_jpeg, result_blob, result_mime, result_text, error, attempts, max_attempts, "
      "worker_id, lease_id, lease_expires_at, webhook_url, webhook_secret, created_at, "
      "started_at, finished_at, version, upload_blob, upload_mime, submit_request_id, priority, "
      "cancel_after_ms, start_deadline, execution_timeout_ms, run_deadline, webhook_events, failure_detail";
  return kColumns;
}

const std::string& listed_job_columns() {
  static const std::string kColumns = [] {
    std::string columns = job_columns();
    const std::string preview = "preview_jpeg";
    columns.replace(columns.find(preview), preview.size(), "x'' AS preview_jpeg");
    return columns;
  }();
  return kColumns;
}

std::string_view to_column(Dialect dialect) { return dialect == Dialect::Task ? "task" : "client"; }

Result<Job> read_job(const Statement& row) {
  Job job;
  job.seq = row.column_int64(0);
  job.id = row.column_text(1);
  job.client_id = row.column_text(2);
  job.task = row.column_text(3);
  job.model = row.column_text(4);
  job.params_json = row.column_text(5);
  job.inputs_json = row.column_text(6);

  const std::string dialect = row.column_text(7);
  if (dialect != "client" && dialect != "task") {
    return fail(Error::internal("job " + job.id + " has unknown dialect '" + dialect + "'"));
  }
  job.dialect = dialect == "task" ? Dialect::Task : Dialect::Client;

  const std::string status = row.column_text(8);
  std::optional<JobStatus> parsed = parse_job_status(status);
  if (!parsed) {
    return fail(Error::internal("job " + job.id + " has unknown status '" + status + "'"));
  }
  job.status = *parsed;

  job.progress = row.column_optional_double(9);
  job.preview_jpeg = row.column_blob(10);
  job.result_blob = row.column_text(11);
  job.result_mime = row.column_text(12);
  job.result_text = row.column_optional_text(13);
  job.error = row.column_text(14);
  job.attempts = static_cast<int>(row.column_int64(15));
  job.max_attempts = static_cast<int>(row.column_int64(16));
  job.worker_id = row.column_text(17);
  job.lease_id = row.column_text(18);
  job.lease_expires_at = row.column_optional_time(19);
  job.webhook_url = row.column_text(20);
  job.webhook_secret = open_secret(row.column_text(21));
  job.created_at = from_unix_ms(row.column_int64(22));
  job.started_at = row.column_optional_time(23);
  job.finished_at = row.column_optional_time(24);
  job.version = row.column_int64(25);
  job.upload_blob = row.column_text(26);
  job.upload_mime = row.column_text(27);
  job.submit_request_id = row.column_text(28);
  job.priority = priority_from_int(row.column_int64(29));
  job.cancel_after = Millis(row.column_int64(30));
  job.start_deadline = row.column_optional_time(31);
  job.execution_timeout = Millis(row.column_int64(32));
  job.run_deadline = row.column_optional_time(33);
  job.webhook_events = row.column_text(34);
  job.failure_detail = row.column_text(35);
  return job;
}

Result<std::optional<Job>> step_job(Statement& statement) {
  Result<bool> row = statement.step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<Job>();
  }
  Result<Job> job = read_job(statement);
  if (!job) {
    return fail(std::move(job.error()));
  }
  return std::optional<Job>(std::move(*job));
}

Result<std::vector<Job>> step_jobs(Statement& statement) {
  std::vector<Job> jobs;
  while (true) {
    Result<std::optional<Job>> job = step_job(statement);
    if (!job) {
      return fail(std::move(job.error()));
    }
    if (!*job) {
      return jobs;
    }
    jobs.push_back(std::move(**job));
  }
}

Result<std::vector<Job>> update_jobs_at(Connection& connection, const std::string& sql, TimePoint now) {
  Result<Statement> statement = connection.prepare(sql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_int64(1, to_unix_ms(now));
  return step_jobs(*statement);
}

Result<std::map<std::string, JobStatus>> statuses_at(Connection& connection, const std::string& sql, TimePoint now) {
  Result<Statement> statement = connection.prepare(sql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_int64(1, to_unix_ms(now));
  std::map<std::string, JobStatus> statuses;
  while (true) {
    Result<bool> row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return statuses;
    }
    statuses.emplace(statement->column_text(0),
                     parse_job_status(statement->column_text(1)).value_or(JobStatus::Processing));
  }
}

}  // namespace genq::sqlite
