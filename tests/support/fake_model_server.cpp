#include "support/fake_model_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <sys/socket.h>

#include <chrono>

#include "support/media.hpp"

namespace genq::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct FakeModelServer::State {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::mutex mutex;
  std::vector<boost::json::value> bodies;  // GUARDED_BY(mutex)
  std::vector<std::thread> connections;    // GUARDED_BY(mutex)
  std::vector<int> open_fds;               // GUARDED_BY(mutex); shut down to stop readers
  std::atomic<bool> stopping{false};
};

FakeModelServer::FakeModelServer() : state_(std::make_shared<State>()) {
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  base_url_ = "http://127.0.0.1:" + std::to_string(state_->acceptor.local_endpoint().port());
  acceptor_ = std::thread([this] {
    while (!state_->stopping.load()) {
      boost::system::error_code ec;
      tcp::socket socket(state_->ioc);
      state_->acceptor.accept(socket, ec);
      if (ec || state_->stopping.load()) {
        break;
      }
      std::lock_guard lock(state_->mutex);
      const int fd = socket.release();
      state_->open_fds.push_back(fd);
      state_->connections.emplace_back([this, fd] { serve(fd); });
    }
  });
}

FakeModelServer::~FakeModelServer() {
  state_->stopping.store(true);
  boost::system::error_code ignored;
  // Wake the blocking accept with a connection of our own.
  tcp::socket poke(state_->ioc);
  poke.connect(state_->acceptor.local_endpoint(), ignored);
  acceptor_.join();
  state_->acceptor.close(ignored);
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(state_->mutex);
    connections.swap(state_->connections);
    for (int fd : state_->open_fds) {
      ::shutdown(fd, SHUT_RDWR);  // a client keeping its connection open must not hang us
    }
  }
  for (auto& connection : connections) {
    connection.join();
  }
}

std::vector<boost::json::value> FakeModelServer::bodies() const {
  std::lock_guard lock(state_->mutex);
  return state_->bodies;
}

void FakeModelServer::serve(int fd) {
  asio::io_context ioc;
  tcp::socket socket(ioc, tcp::v4(), fd);
  struct Forget {
    State& state;
    int fd;
    ~Forget() {
      std::lock_guard lock(state.mutex);
      std::erase(state.open_fds, fd);
    }
  } forget{*state_, fd};
  beast::flat_buffer buffer;
  while (!state_->stopping.load()) {
    http::request<http::string_body> request;
    boost::system::error_code ec;
    http::request_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    http::read(socket, buffer, parser, ec);
    if (ec) {
      return;
    }
    request = parser.release();
    http::response<http::string_body> response{http::status::ok, request.version()};
    response.keep_alive(request.keep_alive());
    const std::string target(request.target());
    if (request.method() == http::verb::get && target.starts_with("/progress/")) {
      progress_polls_++;
      response.set(http::field::content_type, "application/json");
      response.body() = R"({"progress": 50})";
    } else if (request.method() == http::verb::post) {
      boost::system::error_code parse_error;
      const boost::json::value body = boost::json::parse(request.body(), parse_error);
      {
        std::lock_guard lock(state_->mutex);
        state_->bodies.push_back(parse_error ? boost::json::value(request.body()) : body);
      }
      if (target == "/image") {
        const auto* w = body.is_object() ? body.as_object().if_contains("width") : nullptr;
        const auto* h = body.is_object() ? body.as_object().if_contains("height") : nullptr;
        response.set(http::field::content_type, "image/png");
        response.body() = make_png(w != nullptr && w->is_int64() ? static_cast<std::uint32_t>(w->as_int64()) : 32,
                                   h != nullptr && h->is_int64() ? static_cast<std::uint32_t>(h->as_int64()) : 32);
      } else if (target == "/hook") {
        // A webhook receiver that takes its time, so attempts overlap with other
        // senders' reads of the outbox.
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        response.set(http::field::content_type, "application/json");
        response.body() = "{}";
      } else if (target == "/text") {
        // Long enough for a few progress polls at their shortest interval.
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        std::size_t input_bytes = 0;
        if (const auto* inputs = body.is_object() ? body.as_object().if_contains("inputs") : nullptr;
            inputs != nullptr && inputs->is_object()) {
          if (const auto* image = inputs->as_object().if_contains("image"); image && image->is_string()) {
            input_bytes = base64_decode(image->as_string()).value_or("").size();
          }
        }
        response.set(http::field::content_type, "application/json");
        response.body() = boost::json::serialize(
            boost::json::object{{"text", "got " + std::to_string(input_bytes) + " bytes"}, {"extra", 1}});
      } else {
        response.result(http::status::internal_server_error);
        response.set(http::field::content_type, "text/plain");
        response.body() = "model exploded: out of memory";
      }
    } else {
      response.result(http::status::not_found);
    }
    response.prepare_payload();
    http::write(socket, response, ec);
    if (ec || !response.keep_alive()) {
      return;
    }
  }
}

}  // namespace genq::testing
