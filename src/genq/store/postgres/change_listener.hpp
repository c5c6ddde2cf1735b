#pragma once
// Hears one PostgreSQL NOTIFY channel on a connection of its own and calls `heard` for
// each notification, on its own thread. How every node's credential cache learns that
// another process (another node, `genq admin`) changed an account: the notification
// is sent by the changing transaction itself, so it arrives after the commit and
// never for a change that rolled back (docs/scale-out.md, "Credential caches").
//
// A lost connection is reopened with backoff (100 ms doubling to 5 s); notifications
// sent meanwhile are lost, so `heard` is also called once the connection is back.
#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace genq::postgres {

class ChangeListener {
 public:
  // Starts listening at once. `channel` must be a plain SQL identifier.
  ChangeListener(std::string dsn, std::string channel, std::function<void()> heard);
  ~ChangeListener();
  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;

 private:
  void run();

  std::string dsn_, channel_;
  std::function<void()> heard_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace genq::postgres
