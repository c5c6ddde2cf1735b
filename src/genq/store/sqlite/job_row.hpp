#pragma once
// How a genq::Job maps to a row of the jobs table.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/error.hpp"
#include "genq/core/job.hpp"
#include "genq/store/sqlite/sqlite_connection.hpp"
#include "genq/store/sqlite/sqlite_statement.hpp"

namespace genq::sqlite {

// Every column of a job, in the order read_job() expects; for SELECT lists and
// RETURNING clauses: "SELECT " + job_columns() + " FROM jobs ...".
const std::string& job_columns();
// The same columns with preview_jpeg read as empty: job lists never carry previews,
// so a page does not read them.
const std::string& listed_job_columns();

// Reads the job from the current row, whose first columns are job_columns().
// Internal error if the stored status or dialect is not one genq knows.
Result<Job> read_job(const Statement& row);

// Steps `statement` (a SELECT or RETURNING of job_columns()) once: the job, or nullopt
// when there is no row.
Result<std::optional<Job>> step_job(Statement& statement);
// Steps `statement` to the end, collecting every job.
Result<std::vector<Job>> step_jobs(Statement& statement);

// The sweeps' two shapes, each `sql` taking the sweep's time as ?1: an UPDATE ...
// RETURNING job_columns() (the jobs after it), and a SELECT id, status (the statuses
// before one: RETURNING shows only the new row, and job.failed reports the old status).
Result<std::vector<Job>> update_jobs_at(Connection& connection, const std::string& sql, TimePoint now);
Result<std::map<std::string, JobStatus>> statuses_at(Connection& connection, const std::string& sql, TimePoint now);

// How a dialect is stored in jobs.dialect.
std::string_view to_column(Dialect dialect);

}  // namespace genq::sqlite
