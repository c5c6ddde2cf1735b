#include "genq/http/session_registry.hpp"

#include <vector>

#include "genq/http/http_session.hpp"

namespace genq::http {

SessionRegistry::Handle SessionRegistry::add(std::weak_ptr<HttpSession> session) {
  std::lock_guard lock(mutex_);
  return sessions_.insert(sessions_.end(), std::move(session));
}

void SessionRegistry::remove(Handle handle) {
  std::lock_guard lock(mutex_);
  sessions_.erase(handle);
}

void SessionRegistry::drain() {
  // Set before the sessions are listed: one that starts waiting for a request after
  // the list was taken sees the flag itself.
  draining_.store(true, std::memory_order_release);
  std::vector<std::shared_ptr<HttpSession>> open_now;
  {
    std::lock_guard lock(mutex_);
    for (auto& weak : sessions_) {
      if (auto session = weak.lock()) open_now.push_back(std::move(session));
    }
  }
  for (auto& session : open_now) session->drain();
}

std::size_t SessionRegistry::open() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::size_t SessionRegistry::busy() const {
  const std::size_t lingering = lingering_.load();
  const std::size_t all = open();
  return all > lingering ? all - lingering : 0;
}

}  // namespace genq::http
