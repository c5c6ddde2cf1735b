#pragma once
// How many pending jobs of the same model wait ahead of a pending job, answered in
// O(log n) from memory instead of counting index entries on every status read (a
// count(*) over a deep queue cost ~4 ms a read with 63,000 jobs waiting).
//
// One order-statistics tree (GNU pb_ds) of pending submit sequence numbers per model,
// kept up to date from every transition JobService publishes and, with several nodes,
// every change the others announce on the bus (JobSummary::seq), and rebuilt from the
// store at start and periodically, which also repairs the rare drift of two
// transitions of one job published out of order. Transitions published while a
// rebuild reads the store are replayed onto its result, so a rebuild under load loses
// none. About 64 bytes per pending job. Thread-safe; one rebuild at a time.
#include <cstdint>
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/error.hpp"
#include "genq/core/job.hpp"
#include "genq/store/job_store.hpp"

namespace genq {

class QueuePositions {
 public:
  using PendingReader = std::function<Result<std::vector<PendingEntry>>()>;
  // Replaces everything with what `read_pending` returns (the store's pending jobs)
  // plus the transitions published meanwhile; the answers start from here.
  Status rebuild(const PendingReader& read_pending);
  // A committed transition: pending jobs enter the queue, every other status leaves it.
  void on_transition(const Job& job) { on_change(job.model, job.seq, job.status); }
  // The same from what is known of a change another node made.
  void on_change(std::string_view model, std::int64_t seq, JobStatus status);
  // Pending jobs of `model` with a smaller sequence number; nullopt before reset().
  std::optional<std::int64_t> ahead_of(const std::string& model, std::int64_t seq) const;

 private:
  using SeqTree = __gnu_pbds::tree<std::int64_t, __gnu_pbds::null_type, std::less<std::int64_t>,
                                   __gnu_pbds::rb_tree_tag, __gnu_pbds::tree_order_statistics_node_update>;
  mutable std::mutex mutex_;
  bool loaded_ = false;                                  // GUARDED_BY(mutex_)
  bool rebuilding_ = false;                              // GUARDED_BY(mutex_)
  std::vector<PendingEntry> journal_;                    // GUARDED_BY(mutex_); seq < 0: left the queue
  std::map<std::string, SeqTree, std::less<>> queues_;  // GUARDED_BY(mutex_); model -> pending seqs
};

}  // namespace genq
