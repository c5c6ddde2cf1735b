#pragma once
// `genq worker`: the process operators start on GPU machines. It connects out to a
// genq server, claims jobs over the worker protocol (docs/worker-protocol.md) and runs
// them on a backend.
#include <string>
#include <vector>

#include "genq/catalog/catalog.hpp"

namespace genq::runner {

struct WorkerOptions {
  std::string server_url;           // e.g. http://127.0.0.1:8080
  std::string token;                // worker token
  // "catalog": each model on the backend its catalog entry names; "synthetic": every
  // model on the synthetic backend (tests, demos without the tools installed).
  std::string backend = "catalog";
  std::vector<std::string> models;  // empty = all the token allows (catalog: all it can run)
  int concurrency = 1;              // never more jobs at once than this
  int step_delay_ms = 200;          // synthetic backend: delay per step
  bool synthetic_noise = false;     // synthetic backend: incompressible images and video
  std::string worker_id;            // default hostname-pid
  int wait_ms = 25000;              // long-poll wait
  int shutdown_grace_ms = 30000;    // after the first signal, how long running jobs may finish
};

// Runs until SIGINT/SIGTERM and returns the exit code. The first signal stops
// claiming and lets running jobs finish for up to shutdown_grace_ms; then (or at a
// second signal) the jobs still running are stopped and handed back to the server
// with release (pending again, the attempt not counted). A third signal exits at
// once. Exit codes: 0 after a signal,
// 1 when the server refuses the token or the claim request, 2 for invalid options
// or when the catalog backend can run none of the models asked for. `catalog` is
// what the catalog backend runs from.
// Blocks SIGINT and SIGTERM in the calling thread while it runs (threads it starts
// inherit that), and restores the mask before returning.
int run_worker(const WorkerOptions& options, const catalog::Catalog& catalog);

}  // namespace genq::runner
