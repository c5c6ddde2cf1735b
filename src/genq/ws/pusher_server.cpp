#include "genq/ws/pusher_server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "genq/ws/frames.hpp"
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

void PusherServer::start(boost::asio::io_context& io) {
  // A check is at most one sweep late: a quarter of the shortest timeout, at most 1 s
  // (the 5 s close grace included), at least 100 ms.
  using std::chrono::milliseconds;
  auto shortest = std::min<std::chrono::steady_clock::duration>(options_.activity_timeout, options_.pong_timeout);
  live_sessions_.start(io, std::clamp<std::chrono::steady_clock::duration>(shortest / 4, milliseconds(100),
                                                                           milliseconds(1000)));
  cluster_->start();
}

void PusherServer::accept(http::Transport&& stream,
                          boost::beast::http::request<boost::beast::http::empty_body>&& request,
                          std::shared_ptr<void> slot) {
  if (stopping_.load()) return;  // dropping the stream closes the connection
  counters_.connections_total.fetch_add(1, std::memory_order_relaxed);
  auto session = std::make_shared<PusherSession>(std::move(stream), *this, next_socket_id(), std::move(slot));
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

void PusherServer::publish(std::string_view channel, std::string frame_text, std::string_view except) {
  cluster_->relay(channel, frame_text, except);
  broadcast(channel, make_frame(std::move(frame_text)), except);
}

void PusherServer::announce(const std::vector<ChannelRegistry::MemberChange>& changes) {
  for (const auto& change : changes) {
    broadcast(change.channel, make_frame(change.user_info
                                             ? member_added_frame(change.channel, change.user_id, *change.user_info)
                                             : member_removed_frame(change.channel, change.user_id)));
  }
}

void PusherServer::close_all(int code, const std::string& reason) {
  stopping_.store(true);
  for (const auto& session : live_sessions_.established()) session->close_with(code, reason);
}

void PusherServer::stop() {
  stopping_.store(true);
  cluster_->stop();
  live_sessions_.stop();
  registry_.clear();
}

std::size_t PusherServer::connection_count() const { return live_sessions_.established_count(); }

std::string PusherServer::next_socket_id() {
  return fmt::format("{}.{}", socket_id_prefix_, next_socket_serial_.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace genq::ws
