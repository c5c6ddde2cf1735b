#pragma once
// Every live PusherSession, in an intrusive list, and the one server-wide timer that
// sweeps them for due activity checks (Pusher's ping, the pong deadline, the close
// grace period). It replaces a steady_timer per session, which cost each idle
// connection ~300 bytes (the timer, its pending wait operation and its slot in the
// timer heap); a session now keeps a deadline and two list pointers (SweepEntry).
// A session sets its deadline on its own strand (no timer to cancel: a new deadline
// replaces the old); the sweep, every `interval`, claims each passed deadline and
// posts the check to that session's strand. A check is therefore up to one interval
// late; PusherServer picks the interval from the shortest timeout.
// Thread-safe: one mutex over the list, held while a sweep walks it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

namespace genq::ws {

class PusherSession;

// A session's place in LiveSessions. Owned by the session; the list links it.
class SweepEntry {
 public:
  using Clock = std::chrono::steady_clock;

  // The sweep calls the session's on_due() once `at` has passed; replaces the previous
  // deadline. Call on the session's strand.
  void due_at(Clock::time_point at) { due_.store(at.time_since_epoch().count(), std::memory_order_release); }
  void never_due() { due_.store(kNever, std::memory_order_release); }
  // Whether the deadline the sweep claimed is still the session's last one: false when
  // the session set a new deadline after the check was posted (the check is stale).
  bool claimed() const { return due_.load(std::memory_order_acquire) == kNever; }

 private:
  friend class LiveSessions;
  static constexpr Clock::rep kNever = std::numeric_limits<Clock::rep>::max();

  std::atomic<Clock::rep> due_{kNever};
  // GUARDED_BY(LiveSessions::mutex_)
  PusherSession* prev_ = nullptr;
  PusherSession* next_ = nullptr;
  bool listed_ = false;
  bool established_ = false;
};

class LiveSessions {
 public:
  using Clock = SweepEntry::Clock;

  LiveSessions() = default;
  LiveSessions(const LiveSessions&) = delete;
  LiveSessions& operator=(const LiveSessions&) = delete;

  // Starts sweeping every `interval` on `io`. The pending wait owns the timer, so it
  // goes with the io_context; this object must outlive the io_context's threads.
  void start(boost::asio::io_context& io, Clock::duration interval);
  // Ends the sweeps. Requires: the io_context's threads have stopped.
  void stop();

  // A session joins at construction and leaves when it finishes or is destroyed
  // (idempotent); `established`: it counts as a connection (pusher:connection_established sent).
  void add(PusherSession& session);
  void mark_established(PusherSession& session);
  void remove(PusherSession& session);

  // Established sessions, for /metrics and shutdown.
  std::size_t established_count() const;
  // Strong references to the established sessions (close_all).
  std::vector<std::shared_ptr<PusherSession>> established() const;

  // One sweep: claims every deadline at or before `now` and posts the session's check.
  void sweep(Clock::time_point now);

 private:
  void schedule(std::shared_ptr<boost::asio::steady_timer> timer);

  Clock::duration interval_{};
  std::weak_ptr<boost::asio::steady_timer> timer_;  // for stop(); the pending wait owns it
  mutable std::mutex mutex_;
  PusherSession* first_ = nullptr;     // GUARDED_BY(mutex_)
  std::size_t established_count_ = 0;  // GUARDED_BY(mutex_)
};

}  // namespace genq::ws
