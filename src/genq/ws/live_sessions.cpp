#include "genq/ws/live_sessions.hpp"

#include "genq/ws/pusher_session.hpp"

namespace genq::ws {

void LiveSessions::start(boost::asio::io_context& io, Clock::duration interval) {
  interval_ = interval;
  auto timer = std::make_shared<boost::asio::steady_timer>(io);
  timer_ = timer;
  schedule(std::move(timer));
}

void LiveSessions::schedule(std::shared_ptr<boost::asio::steady_timer> timer) {
  timer->expires_after(interval_);
  auto& waiting = *timer;
  waiting.async_wait([this, timer = std::move(timer)](boost::system::error_code ec) mutable {
    if (ec) return;  // stop()
    sweep(Clock::now());
    schedule(std::move(timer));
  });
}

void LiveSessions::stop() {
  if (auto timer = timer_.lock()) timer->cancel();
}

void LiveSessions::add(PusherSession& session) {
  SweepEntry& entry = session.sweep_entry();
  std::lock_guard lock(mutex_);
  if (entry.listed_) return;
  entry.listed_ = true;
  entry.prev_ = nullptr;
  entry.next_ = first_;
  if (first_) first_->sweep_entry().prev_ = &session;
  first_ = &session;
}

void LiveSessions::mark_established(PusherSession& session) {
  SweepEntry& entry = session.sweep_entry();
  std::lock_guard lock(mutex_);
  if (!entry.listed_ || entry.established_) return;
  entry.established_ = true;
  ++established_count_;
}

void LiveSessions::remove(PusherSession& session) {
  SweepEntry& entry = session.sweep_entry();
  std::lock_guard lock(mutex_);
  if (!entry.listed_) return;
  if (entry.prev_) {
    entry.prev_->sweep_entry().next_ = entry.next_;
  } else {
    first_ = entry.next_;
  }
  if (entry.next_) entry.next_->sweep_entry().prev_ = entry.prev_;
  if (entry.established_) --established_count_;
  entry.prev_ = entry.next_ = nullptr;
  entry.listed_ = entry.established_ = false;
}

std::size_t LiveSessions::established_count() const {
  std::lock_guard lock(mutex_);
  return established_count_;
}

std::vector<std::shared_ptr<PusherSession>> LiveSessions::established() const {
  std::vector<std::shared_ptr<PusherSession>> out;
  std::lock_guard lock(mutex_);
  out.reserve(established_count_);
  for (PusherSession* s = first_; s; s = s->sweep_entry().next_) {
    if (!s->sweep_entry().established_) continue;
    // Null while the session's destructor waits for the mutex to leave the list.
    if (auto session = s->weak_from_this().lock()) out.push_back(std::move(session));
  }
  return out;
}

void LiveSessions::sweep(Clock::time_point now) {
  const Clock::rep now_ticks = now.time_since_epoch().count();
  std::vector<std::shared_ptr<PusherSession>> due;
  {
    std::lock_guard lock(mutex_);
    for (PusherSession* s = first_; s; s = s->sweep_entry().next_) {
      std::atomic<Clock::rep>& deadline = s->sweep_entry().due_;
      Clock::rep at = deadline.load(std::memory_order_acquire);
      if (at > now_ticks) continue;  // kNever included
      // Claim it unless the session set a new deadline meanwhile (then it waits its turn).
      if (!deadline.compare_exchange_strong(at, SweepEntry::kNever, std::memory_order_acq_rel)) continue;
      if (auto session = s->weak_from_this().lock()) due.push_back(std::move(session));
    }
  }
  // Posted outside the lock: a session's strand may be busy.
  for (const auto& session : due) session->post_due_check();
}

}  // namespace genq::ws
