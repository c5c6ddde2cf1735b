#pragma once
// A job as a row of the PostgreSQL jobs table.
#include <optional>
#include <string>
#include <vector>

#include "genq/core/job.hpp"
#include "genq/store/postgres/pg_connection.hpp"

namespace genq::postgres {

// The column list every job query selects (or returns), in read_job()'s order.
const std::string& job_columns();
// The same columns qualified by a table alias ("j." ...), for joins and UPDATE ... FROM.
std::string job_columns(std::string_view alias);
// The columns with preview_jpeg read as empty: job lists never carry previews, so a
// page does not read them.
const std::string& listed_job_columns();

std::string_view to_column(Dialect dialect);

// Reads the job in row `row` of `rows`, whose first columns are job_columns().
Result<Job> read_job(const Rows& rows, int row);
// Every row of `rows` as a job.
Result<std::vector<Job>> read_jobs(const Rows& rows);
// The first row as a job; nullopt when there is none.
Result<std::optional<Job>> read_optional_job(const Rows& rows);

}  // namespace genq::postgres
