#pragma once
// The job side of /metrics: jobs by status, counts and latencies by model, queue
// depth and age, workers seen, claim long-polls, and the store's commits.
#include "genq/catalog/catalog.hpp"
#include "genq/metrics/metrics.hpp"
#include "genq/service/claim_dispatcher.hpp"
#include "genq/service/job_service.hpp"
#include "genq/store/store.hpp"

namespace genq::app {

// Every catalog model gets its series at start (zeros until its first job), so an
// alert on a model nobody has submitted to yet still has something to read.
void add_job_metrics(Metrics& metrics, JobService& jobs, ClaimDispatcher& claims, const Store& store,
                     const catalog::Catalog& catalog);

}  // namespace genq::app
