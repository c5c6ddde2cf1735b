#pragma once
// One database holding jobs, accounts and the webhook outbox, as app/ opens it and
// the store test suite runs against it: sqlite/ (the embedded default) and postgres/
// (N nodes on one PostgreSQL) implement it.
#include <cstdint>
#include <functional>

#include "genq/metrics/histogram.hpp"
#include "genq/store/account_store.hpp"
#include "genq/store/delivery_store.hpp"
#include "genq/store/job_store.hpp"

namespace genq {

// Thread-safe, as each of its interfaces.
class Store : public JobStore, public AccountStore, public DeliveryStore {
 public:
  // Called after each commit that queued webhook deliveries, on the committing thread:
  // how the webhook sender learns there is work without polling the store. It hears
  // of this process's commits only; deliveries queued by another process (another
  // node) are found by the sender's own timer.
  virtual void on_deliveries_queued(std::function<void()> wake) = 0;

  // Committed write transactions, and the job writes they carried (metrics: with many
  // concurrent writers commits() stays far below writes()).
  virtual std::uint64_t commits() const = 0;
  virtual std::uint64_t writes() const = 0;
  // Writes per committed transaction and the time from BEGIN to COMMIT (/metrics).
  virtual const Histogram& commit_batch_sizes() const = 0;
  virtual const Histogram& commit_seconds() const = 0;

  // Seals the webhook secrets still stored in plain text with the installed secrets
  // key (sealed_secrets.hpp) and records that key, in one transaction: once per
  // database. Invalid when another key sealed them. Returns how many it sealed; 0 when
  // no key is installed.
  virtual Result<std::int64_t> seal_stored_secrets() = 0;
};

}  // namespace genq
