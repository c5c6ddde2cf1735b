#include "genq/client/pusher_listener.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

namespace genq::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

// Every operation is asynchronous and driven by run_for, so each has a deadline; a read
// that outlives its deadline stays pending and the next call picks it up.
struct PusherListener::Connection {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
  bool read_pending = false;
  bool read_done = false;
  boost::system::error_code read_error;

  // Runs the io_context until `done` or the timeout; false on timeout.
  bool run_until(const bool& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return false;
      io.restart();
      io.run_one_for(left);
    }
    return true;
  }
};

PusherListener::PusherListener() = default;
PusherListener::~PusherListener() = default;

namespace {

Result<PusherEvent> parse_event(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(text, ec);
  if (ec || !doc.is_object()) return fail(Error::unavailable("WebSocket: a message that is not a JSON object"));
  const auto& object = doc.as_object();
  PusherEvent event;
  if (const auto* name = object.if_contains("event"); name && name->is_string()) event.event = name->as_string();
  if (const auto* channel = object.if_contains("channel"); channel && channel->is_string()) {
    event.channel = channel->as_string();
  }
  if (const auto* data = object.if_contains("data")) {
    event.data = data->is_string() ? std::string(data->as_string()) : boost::json::serialize(*data);
  }
  return event;
}

}  // namespace

Result<std::string> PusherListener::connect(const std::string& server, const std::string& path,
                                            std::chrono::milliseconds timeout) {
  auto url = boost::urls::parse_uri(server);
  if (!url || url->scheme() != "http") {
    return fail(Error::unavailable("WebSocket: only plain http:// servers (" + server + ")"));
  }
  connection_ = std::make_unique<Connection>();
  Connection& c = *connection_;
  const std::string host(url->host());
  const std::string port = url->has_port() ? std::string(url->port()) : "80";

  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(c.io);
  auto endpoints = resolver.resolve(host, port, ec);
  if (ec) return fail(Error::unavailable("WebSocket: cannot resolve " + host + ": " + ec.message()));
  bool done = false;
  beast::get_lowest_layer(c.ws).async_connect(endpoints, [&](boost::system::error_code e, auto) { ec = e; done = true; });
  if (!c.run_until(done, timeout)) return fail(Error::unavailable("WebSocket: connect timed out"));
  if (ec) return fail(Error::unavailable("WebSocket: connect: " + ec.message()));
  done = false;
  c.ws.async_handshake(host + ":" + port, path, [&](boost::system::error_code e) { ec = e; done = true; });
  if (!c.run_until(done, timeout)) return fail(Error::unavailable("WebSocket: handshake timed out"));
  if (ec) return fail(Error::unavailable("WebSocket: handshake: " + ec.message()));

  auto first = next(timeout);
  if (!first) return fail(std::move(first.error()));
  if (!*first || (*first)->event != "pusher:connection_established") {
    return fail(Error::unavailable("WebSocket: no pusher:connection_established"));
  }
  boost::json::value data = boost::json::parse((*first)->data, ec);
  const auto* socket_id = !ec && data.is_object() ? data.as_object().if_contains("socket_id") : nullptr;
  if (socket_id == nullptr || !socket_id->is_string()) return fail(Error::unavailable("WebSocket: no socket_id"));
  return std::string(socket_id->as_string());
}

Status PusherListener::subscribe(const std::string& channel, const std::string& auth, std::chrono::milliseconds timeout) {
  const std::string message = boost::json::serialize(boost::json::object{
      {"event", "pusher:subscribe"}, {"data", boost::json::object{{"auth", auth}, {"channel", channel}}}});
  if (Status sent = send(message, timeout); !sent) return sent;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto event = next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    if (!event) return fail(std::move(event.error()));
    if (!*event) break;
    if ((*event)->event == "pusher_internal:subscription_succeeded" && (*event)->channel == channel) return {};
    if ((*event)->event == "pusher:subscription_error" || (*event)->event == "pusher:error") {
      return fail(Error::forbidden("WebSocket: subscription refused: " + (*event)->data));
    }
  }
  return fail(Error::unavailable("WebSocket: no subscription_succeeded for " + channel));
}

Result<std::optional<PusherEvent>> PusherListener::next(std::chrono::milliseconds timeout) {
  if (!connection_) return fail(Error::unavailable("WebSocket: not connected"));
  Connection& c = *connection_;
  for (;;) {
    if (!c.read_pending) {
      c.read_pending = true;
      c.read_done = false;
      c.buffer.clear();
      c.ws.async_read(c.buffer, [&c](boost::system::error_code e, std::size_t) {
        c.read_error = e;
        c.read_done = true;
      });
    }
    if (!c.run_until(c.read_done, timeout)) return std::optional<PusherEvent>{};
    c.read_pending = false;
    if (c.read_error) return fail(Error::unavailable("WebSocket: " + c.read_error.message()));
    auto event = parse_event(beast::buffers_to_string(c.buffer.data()));
    if (!event) return fail(std::move(event.error()));
    if (event->event == "pusher:ping") {
      if (Status sent = send(R"({"event":"pusher:pong","data":{}})", timeout); !sent) return fail(std::move(sent.error()));
      continue;
    }
    return std::optional<PusherEvent>(std::move(*event));
  }
}

Status PusherListener::send(const std::string& text, std::chrono::milliseconds timeout) {
  Connection& c = *connection_;
  bool done = false;
  boost::system::error_code ec;
  c.ws.async_write(asio::buffer(text), [&](boost::system::error_code e, std::size_t) { ec = e; done = true; });
  // A pending read may complete meanwhile: its handler only records that it did.
  if (!c.run_until(done, timeout)) return fail(Error::unavailable("WebSocket: write timed out"));
  if (ec) return fail(Error::unavailable("WebSocket: " + ec.message()));
  return {};
}

}  // namespace genq::client
