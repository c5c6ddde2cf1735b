#include "genq/store/postgres/job_read_batcher.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "genq/store/postgres/job_row.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::postgres {
namespace {

// A text[] literal: {"a","b"}, each element quoted, with '"' and '\' escaped.
std::string array_literal(const std::vector<std::string_view>& ids) {
  std::string out = "{";
  for (std::string_view id : ids) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : id) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

JobReadBatcher::JobReadBatcher(ConnectionPool& pool, int threads) : pool_(pool) {
  for (int i = 0; i < std::max(1, threads); ++i) {
    threads_.emplace_back([this] { run(); });
  }
}

JobReadBatcher::~JobReadBatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) {
    thread.join();
  }
}

void JobReadBatcher::get(std::string job_id, Done done) {
  if (!store_rules::could_name_a_job(job_id)) {
    return done(fail(Error::not_found("job not found")));
  }
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Pending{std::move(job_id), std::move(done)});
  }
  wake_.notify_one();
}

void JobReadBatcher::drain() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [&] { return queue_.empty() && running_ == 0; });
}

void JobReadBatcher::run() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping, and nothing left to answer
      }
      const std::size_t n = std::min(queue_.size(), kMaxBatch);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      running_ += n;
    }
    read_batch(batch);
    {
      std::lock_guard lock(mutex_);
      running_ -= batch.size();
    }
    batch.clear();
    drained_.notify_all();
  }
}

void JobReadBatcher::read_batch(std::vector<Pending>& batch) {
  std::vector<std::string_view> ids;
  ids.reserve(batch.size());
  for (const Pending& pending : batch) {
    ids.push_back(pending.job_id);
  }
  static const std::string kSql = "SELECT " + job_columns() + " FROM jobs WHERE id = ANY($1::text[])";
  Result<Rows> rows = [&] {
    ConnectionPool::Lease connection = pool_.acquire();
    return connection->query(kSql, Params().text(array_literal(ids)));
  }();
  if (!rows) {
    for (Pending& pending : batch) {
      pending.done(fail(rows.error()));
    }
    return;
  }
  std::unordered_map<std::string, int> row_of;
  row_of.reserve(static_cast<std::size_t>(rows->size()));
  for (int row = 0; row < rows->size(); ++row) {
    row_of.emplace(rows->text(row, 1), row);  // column 1 is the id (job_columns())
  }
  for (Pending& pending : batch) {
    auto found = row_of.find(pending.job_id);
    if (found == row_of.end()) {
      pending.done(fail(Error::not_found("job not found")));
    } else {
      pending.done(read_job(*rows, found->second));
    }
  }
}

}  // namespace genq::postgres
