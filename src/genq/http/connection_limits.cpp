#include "genq/http/connection_limits.hpp"

namespace genq::http {

std::shared_ptr<ConnectionLimits> ConnectionLimits::create(ConnectionLimitOptions options) {
  return std::shared_ptr<ConnectionLimits>(new ConnectionLimits(options));
}

ConnectionLimits::Slot ConnectionLimits::acquire(const boost::asio::ip::address& address) {
  std::string key;
  {
    std::lock_guard lock(mutex_);
    if (options_.max_total > 0 && open_ >= options_.max_total) return nullptr;
    if (options_.max_per_address > 0) {
      key = address.to_string();
      std::size_t& from_address = per_address_[key];
      if (from_address >= options_.max_per_address) return nullptr;
      ++from_address;
    }
    ++open_;
  }
  // The deleter keeps the limits alive: a WebSocket may outlive the HTTP server object.
  return Slot(static_cast<void*>(this), [self = shared_from_this(), key = std::move(key)](void*) { self->release(key); });
}

void ConnectionLimits::release(const std::string& address) {
  std::lock_guard lock(mutex_);
  --open_;
  if (options_.max_per_address == 0) return;
  auto it = per_address_.find(address);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

std::size_t ConnectionLimits::open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

}  // namespace genq::http
