#pragma once
// Caps on open connections, in total and per client address, so that one client (or
// many) cannot hold every descriptor the server has. A connection holds a Slot from
// accept until its socket closes, through a WebSocket upgrade.
#include <boost/asio/ip/address.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace genq::http {

struct ConnectionLimitOptions {
  std::size_t max_total = 0;        // 0 = no cap
  std::size_t max_per_address = 0;  // 0 = no cap
};

class ConnectionLimits : public std::enable_shared_from_this<ConnectionLimits> {
 public:
  // Released when the last copy is destroyed: keep it with whatever owns the socket.
  using Slot = std::shared_ptr<void>;

  static std::shared_ptr<ConnectionLimits> create(ConnectionLimitOptions options);

  // A slot for one more connection from `address`, or null when the server or that
  // address is at its cap. Thread-safe.
  Slot acquire(const boost::asio::ip::address& address);

  std::size_t open() const;
  const ConnectionLimitOptions& options() const { return options_; }

 private:
  explicit ConnectionLimits(ConnectionLimitOptions options) : options_(options) {}
  void release(const std::string& address);

  const ConnectionLimitOptions options_;
  mutable std::mutex mutex_;
  std::size_t open_ = 0;                                    // GUARDED_BY(mutex_)
  std::unordered_map<std::string, std::size_t> per_address_;  // GUARDED_BY(mutex_); only with a per-address cap
};

}  // namespace genq::http
