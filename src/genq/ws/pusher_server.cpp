#include "genq/ws/pusher_server.hpp"

#include <fmt/format.h>

#include <random>

#include "genq/ws/pusher_session.hpp"

namespace genq::ws {

PusherServer::PusherServer(PusherOptions options) : options_(std::move(options)) {
  // socket_id is "<prefix>.<serial>": unique within the process by the serial, and a
  // random prefix keeps ids of a restarted server from repeating the last run's.
  std::random_device random;
  socket_id_prefix_ = std::uniform_int_distribution<std::uint32_t>(100'000, 999'999'999)(random);
}

PusherServer::~PusherServer() = default;

bool PusherServer::wants(std::string_view path) { return path.starts_with("/app/"); }

void PusherServer::accept(boost::beast::tcp_stream&& stream,
                          boost::beast::http::request<boost::beast::http::empty_body>&& request) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;  // dropping the stream closes the connection
  }
  counters_.connections_total.fetch_add(1, std::memory_order_relaxed);
  auto session = std::make_shared<PusherSession>(std::move(stream), *this, next_socket_id());
  session->start(std::move(request));
}

std::size_t PusherServer::broadcast(std::string_view channel, const FramePtr& frame, std::string_view except) {
  auto subscribers = registry_.subscribers(channel);
  counters_.broadcasts.fetch_add(1, std::memory_order_relaxed);
  std::size_t reached = 0;
  for (const auto& subscriber : *subscribers) {
    if (!except.empty() && subscriber->socket_id() == except) continue;
    subscriber->deliver(frame);
    ++reached;
  }
  counters_.deliveries.fetch_add(reached, std::memory_order_relaxed);
  return reached;
}

void PusherServer::close_all(int code, const std::string& reason) {
  std::vector<std::shared_ptr<PusherSession>> sessions;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    sessions.reserve(sessions_.size());
    for (const auto& [id, weak] : sessions_) {
      if (auto session = weak.lock()) sessions.push_back(std::move(session));
    }
  }
  for (const auto& session : sessions) session->close_with(code, reason);
}

void PusherServer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    sessions_.clear();
  }
  registry_.clear();
}

std::size_t PusherServer::connection_count() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::string PusherServer::next_socket_id() {
  return fmt::format("{}.{}", socket_id_prefix_, next_socket_serial_.fetch_add(1, std::memory_order_relaxed));
}

void PusherServer::add_session(const std::shared_ptr<PusherSession>& session) {
  std::lock_guard lock(mutex_);
  sessions_[session->socket_id()] = session;
}

void PusherServer::remove_session(const std::string& socket_id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(socket_id);
}

}  // namespace genq::ws
