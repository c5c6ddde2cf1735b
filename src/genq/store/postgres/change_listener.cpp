#include "genq/store/postgres/change_listener.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace genq::postgres {
namespace {

// How often the thread looks at stopping_ while the connection is quiet.
constexpr int kPollMillis = 200;

}  // namespace

ChangeListener::ChangeListener(std::string dsn, std::string channel, std::function<void()> heard)
    : dsn_(std::move(dsn)), channel_(std::move(channel)), heard_(std::move(heard)) {
  thread_ = std::thread([this] { run(); });
}

ChangeListener::~ChangeListener() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void ChangeListener::run() {
  std::chrono::milliseconds backoff(100);
  bool ever_connected = false;
  bool warned = false;
  while (!stopping_) {
    PGconn* connection = PQconnectdb(dsn_.c_str());
    PGresult* listening = PQstatus(connection) == CONNECTION_OK
                              ? PQexec(connection, ("LISTEN " + channel_).c_str())
                              : nullptr;
    const bool ok = listening && PQresultStatus(listening) == PGRES_COMMAND_OK;
    if (listening) PQclear(listening);
    if (!ok) {
      if (!warned) spdlog::warn("postgres: cannot listen for {}: {}", channel_, PQerrorMessage(connection));
      warned = true;
      PQfinish(connection);
      for (auto slept = std::chrono::milliseconds(0); slept < backoff && !stopping_; slept += std::chrono::milliseconds(kPollMillis)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(kPollMillis));
      }
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    if (warned) spdlog::info("postgres: listening for {} again", channel_);
    warned = false;
    backoff = std::chrono::milliseconds(100);
    if (ever_connected) heard_();  // changes made while the connection was down were not heard
    ever_connected = true;
    while (!stopping_) {
      pollfd fd{PQsocket(connection), POLLIN, 0};
      if (::poll(&fd, 1, kPollMillis) < 0) continue;
      if (fd.revents == 0) continue;
      if (PQconsumeInput(connection) == 0) break;  // the connection broke
      bool any = false;
      while (PGnotify* notify = PQnotifies(connection)) {
        any = true;
        PQfreemem(notify);
      }
      if (any) heard_();
    }
    PQfinish(connection);
    if (!stopping_) {
      spdlog::warn("postgres: lost the connection listening for {}; reconnecting", channel_);
      warned = true;
    }
  }
}

}  // namespace genq::postgres
