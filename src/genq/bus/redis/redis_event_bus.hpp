#pragma once
// The event bus of a cluster: job changes go to this process's subscribers at once
// (as InProcessEventBus does) and, as compact messages (change_message.hpp), over
// Redis pub/sub to every other node, which hands them to its own subscribers.
//
// Threads, each with its own connection:
//  - publisher: sends the queued changes (pipelined). publish() only queues, so a
//    slow or absent Redis never holds up the store's thread; beyond `max_queued` the
//    oldest queued change is dropped (counted).
//  - subscriber: SUBSCRIBEs to the channel, skips the node's own messages, delivers
//    the others' summaries, pings when idle to notice a dead connection.
//  - loader: reads from the store the jobs that a whole-job subscriber wants
//    (coalesced per job), so a slow read never holds up the subscriber.
// Redis down at start or later: the node works on, locally; each thread reconnects
// with backoff and logs once per interval; health() is not ready meanwhile. Changes
// published during an outage are lost to the other nodes (pub/sub keeps nothing):
// their long-polls re-check on a timer, and the store stays the truth.
//
// Thread-safe. start() after the subscriptions; stop() (or the destructor) joins.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include "genq/bus/event_bus.hpp"
#include "genq/bus/job_fanout.hpp"
#include "genq/bus/redis/redis_endpoint.hpp"
#include "genq/core/clock.hpp"

namespace genq::bus {

class RedisConnection;

struct RedisBusOptions {
  RedisEndpoint endpoint;
  std::string node_id;                // tells this node's messages apart; empty: random
  std::size_t max_queued = 10'000;    // changes waiting for the publisher
  Millis connect_timeout{2000};       // also each blocking read and write
  Millis max_backoff{5000};
  Millis ping_interval{1000};         // an idle connection proves itself this often
  Millis log_interval{30'000};        // outage lines, at most one per connection per interval
};

// Reads a job for a whole-job subscriber; blocking is fine (its own thread).
using JobLoader = std::function<Result<Job>(const std::string& job_id)>;

struct RedisBusCounters {
  std::uint64_t published = 0;  // changes sent to Redis
  std::uint64_t dropped = 0;    // changes never sent (queue full, or lost in a failed send)
  std::uint64_t received = 0;   // other nodes' changes received
  std::uint64_t loaded = 0;     // jobs read for whole-job subscribers
};

class RedisEventBus final : public EventBus {
 public:
  RedisEventBus(RedisBusOptions options, JobLoader loader);
  ~RedisEventBus() override;
  RedisEventBus(const RedisEventBus&) = delete;
  RedisEventBus& operator=(const RedisEventBus&) = delete;

  // Starts the threads and returns at once; the connections come up in the background.
  void start();
  void stop();

  void publish(const Job& job) override;
  void deliver_current(const Job& job, const JobHandler& handler) override { fanout_.deliver_current(job, handler); }
  void subscribe_summaries(SummaryHandler handler) override { fanout_.add_summary_handler(std::move(handler)); }
  void subscribe_jobs(JobWanted wanted, JobHandler handler) override {
    fanout_.add_job_handler(std::move(wanted), std::move(handler));
  }
  // Ready while both connections are up and the subscription is active.
  BusHealth health() const override;

  const std::string& node_id() const { return options_.node_id; }
  RedisBusCounters counters() const;

 private:
  void publisher_loop();
  void subscriber_loop();
  void loader_loop();
  // Runs the subscription on one connection until it fails or stop() is called;
  // returns why it ended.
  std::string listen(RedisConnection& connection);
  void on_message(std::string_view text);
  // Waits `delay` or until stop(); false when stopping.
  bool pause(Millis delay);

  RedisBusOptions options_;
  JobLoader loader_;
  JobFanout fanout_;
  std::string channel_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;               // publisher work, backoff pauses, stop
  std::condition_variable loads_ready_;        // loader work, stop (apart: publishes must not wake it)
  std::deque<std::string> outbox_;              // GUARDED_BY(mutex_); encoded changes to send
  std::deque<std::string> loads_;               // GUARDED_BY(mutex_); job ids to read
  std::unordered_set<std::string> loading_;     // GUARDED_BY(mutex_); ids in loads_
  bool stopping_ = false;                       // GUARDED_BY(mutex_)
  int stop_fd_ = -1;                            // eventfd: wakes the subscriber's poll

  std::atomic<bool> publisher_up_{false};
  std::atomic<bool> subscriber_up_{false};
  std::atomic<std::uint64_t> published_{0}, dropped_{0}, received_{0}, loaded_{0};
  std::thread publisher_, subscriber_, loader_thread_;
};

}  // namespace genq::bus
