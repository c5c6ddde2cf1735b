#pragma once
// The HTTP sessions a server has open, so that a shutdown can drain them: keep-alive
// ends, sessions waiting idle for a next request close, and the server knows when the
// rest have answered what they read. Thread-safe.
#include <atomic>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>

namespace genq::http {

class HttpSession;

class SessionRegistry {
 public:
  using Handle = std::list<std::weak_ptr<HttpSession>>::iterator;

  Handle add(std::weak_ptr<HttpSession> session);
  void remove(Handle handle);
  // From now on draining() is true, then every open session is told (HttpSession::drain).
  void drain();
  bool draining() const { return draining_.load(std::memory_order_acquire); }
  std::size_t open() const;
  // Sessions that answered their last request and only wait for the client's end
  // (HttpSession::do_close) count as open but no longer as busy.
  void add_lingering() { lingering_.fetch_add(1); }
  void remove_lingering() { lingering_.fetch_sub(1); }
  std::size_t busy() const;

 private:
  std::atomic<bool> draining_{false};
  std::atomic<std::size_t> lingering_{0};
  mutable std::mutex mutex_;
  std::list<std::weak_ptr<HttpSession>> sessions_;  // GUARDED_BY(mutex_)
};

}  // namespace genq::http
