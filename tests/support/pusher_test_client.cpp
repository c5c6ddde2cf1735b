#include "support/pusher_test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace genq::testing {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;

struct PusherTestClient::State {
  net::io_context io;
  beast::websocket::stream<net::ip::tcp::socket> ws{io};
  beast::flat_buffer buffer;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::vector<json::object> received;  // GUARDED_BY(mutex)
  bool ended = false;                  // GUARDED_BY(mutex)
  std::thread thread;

  void read() {
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        std::lock_guard lock(mutex);
        ended = true;
        changed.notify_all();
        return;
      }
      std::string text = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      boost::system::error_code parse_error;
      auto doc = json::parse(text, parse_error);
      if (!parse_error && doc.is_object()) {
        auto& object = doc.as_object();
        if (auto* data = object.if_contains("data"); data && data->is_string()) {
          auto inner = json::parse(data->as_string(), parse_error);
          if (!parse_error) *data = std::move(inner);
        }
        std::lock_guard lock(mutex);
        received.push_back(std::move(object));
        changed.notify_all();
      }
      read();
    });
  }
};

PusherTestClient::PusherTestClient(std::uint16_t port, const std::string& key) : state_(std::make_shared<State>()) {
  net::ip::tcp::resolver resolver(state_->io);
  net::connect(state_->ws.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
  state_->ws.handshake("127.0.0.1:" + std::to_string(port), "/app/" + key + "?protocol=7&client=genq-test");
  state_->ws.text(true);
  state_->read();
  state_->thread = std::thread([state = state_] { state->io.run(); });
  auto established = wait_for_event(std::chrono::seconds(10), "pusher:connection_established");
  if (!established) throw std::runtime_error("no pusher:connection_established");
  socket_id_ = std::string(established->at("data").as_object().at("socket_id").as_string());
}

PusherTestClient::~PusherTestClient() {
  close();
  if (state_->thread.joinable()) state_->thread.join();
}

void PusherTestClient::send(const std::string& event, const std::string& channel, const json::value& data) {
  json::object message{{"event", event}, {"data", data}};
  if (!channel.empty()) message["channel"] = channel;
  auto text = std::make_shared<std::string>(json::serialize(message));
  auto written = std::make_shared<std::promise<void>>();
  auto done = written->get_future();
  // A raw pointer: a handler still queued when the I/O thread has ended (the server
  // closed the socket) must not keep State, which owns the io_context, alive.
  net::post(state_->io, [state = state_.get(), text, written] {
    beast::error_code ec;
    state->ws.write(net::buffer(*text), ec);
    written->set_value();
  });
  done.wait_for(std::chrono::seconds(10));
}

void PusherTestClient::subscribe(const std::string& channel, const std::string& auth, const std::string& channel_data) {
  json::object data{{"channel", channel}};
  if (!auth.empty()) data["auth"] = auth;
  if (!channel_data.empty()) data["channel_data"] = channel_data;
  send("pusher:subscribe", "", data);
}

void PusherTestClient::close() {
  net::post(state_->io, [state = state_.get()] {
    beast::error_code ec;
    state->ws.next_layer().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    state->ws.next_layer().close(ec);
  });
  std::unique_lock lock(state_->mutex);
  state_->changed.wait_for(lock, std::chrono::seconds(10), [this] { return state_->ended; });
}

std::vector<json::object> PusherTestClient::messages() const {
  std::lock_guard lock(state_->mutex);
  return state_->received;
}

std::optional<json::object> PusherTestClient::wait_for(
    std::chrono::milliseconds timeout, const std::function<bool(const json::object&)>& match) const {
  std::unique_lock lock(state_->mutex);
  std::optional<json::object> found;
  state_->changed.wait_for(lock, timeout, [&] {
    for (const auto& m : state_->received) {
      if (match(m)) {
        found = m;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::optional<json::object> PusherTestClient::wait_for_event(std::chrono::milliseconds timeout,
                                                             const std::string& event,
                                                             const std::string& channel) const {
  return wait_for(timeout, [&](const json::object& m) {
    const auto* e = m.if_contains("event");
    if (!e || !e->is_string() || e->as_string() != event) return false;
    if (channel.empty()) return true;
    const auto* c = m.if_contains("channel");
    return c && c->is_string() && c->as_string() == channel;
  });
}

}  // namespace genq::testing
