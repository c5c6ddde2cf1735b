// WebSocket load client for the Pusher benchmarks (bench/ws/run.sh): opens many
// connections to a Pusher-protocol server, subscribes each to a channel, prints
// "READY" once all are subscribed, then
//   idle:   holds the connections (reading) until stdin closes;
//   fanout: counts frames of event "bench" and, once every connection has MESSAGES of
//           them, prints "RESULT fanout_msgs_per_s=... elapsed_s=..." and exits.
// One thread, so the client costs the shared machine as little CPU as possible.
//   ws_clients idle|fanout HOST PORT PATH CONNECTIONS CHANNEL [MESSAGES]
// Channel: idle mode subscribes connection i to CHANNEL-i, fanout mode all to CHANNEL.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Run {
  bool fanout = false;
  std::string host, port, path, channel;
  long connections = 0, messages = 0;
  long opened = 0, ready = 0, failed = 0, started = 0;
  long long received = 0;
  Clock::time_point first, last;
  tcp::resolver::results_type endpoints;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(net::io_context& ioc, Run& run, long index) : ws_(ioc), run_(run), index_(index) {}

  void start() {
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(60));
    beast::get_lowest_layer(ws_).async_connect(run_.endpoints, [self = shared_from_this()](beast::error_code ec, auto) {
      if (ec) return self->fail("connect", ec);
      beast::get_lowest_layer(self->ws_).expires_never();
      self->ws_.async_handshake(self->run_.host + ":" + self->run_.port, self->run_.path,
                                [self](beast::error_code ec2) {
                                  if (ec2) return self->fail("handshake", ec2);
                                  ++self->run_.opened;
                                  self->read();
                                });
    });
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail("read", ec);
      self->on_message(beast::buffers_to_string(self->buffer_.data()));
      self->buffer_.consume(self->buffer_.size());
      self->read();
    });
  }

  void on_message(const std::string& text) {
    if (text.find("\"pusher:connection_established\"") != std::string::npos) {
      std::string channel = run_.fanout ? run_.channel : run_.channel + "-" + std::to_string(index_);
      out_ = R"({"event":"pusher:subscribe","data":{"channel":")" + channel + R"("}})";
      ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) self->fail("subscribe", ec);
      });
    } else if (text.find("\"pusher_internal:subscription_succeeded\"") != std::string::npos) {
      if (++run_.ready == run_.connections) {
        std::cout << "READY" << std::endl;
      }
    } else if (text.find("\"event\":\"bench\"") != std::string::npos) {
      auto now = Clock::now();
      if (run_.received++ == 0) run_.first = now;
      run_.last = now;
      if (run_.fanout && run_.received == run_.connections * run_.messages) {
        double seconds = std::chrono::duration<double>(run_.last - run_.first).count();
        std::printf("RESULT fanout_msgs_per_s=%.0f elapsed_s=%.3f subscribers=%ld messages=%ld\n",
                    static_cast<double>(run_.received) / seconds, seconds, run_.connections, run_.messages);
        std::fflush(stdout);
        std::_Exit(0);
      }
    }
  }

  void fail(const char* what, beast::error_code ec) {
    if (++run_.failed <= 5) std::cerr << "connection " << index_ << ": " << what << ": " << ec.message() << "\n";
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::string out_;
  Run& run_;
  long index_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::cerr << "usage: ws_clients idle|fanout HOST PORT PATH CONNECTIONS CHANNEL [MESSAGES]\n";
    return 2;
  }
  Run run;
  run.fanout = std::string(argv[1]) == "fanout";
  run.host = argv[2];
  run.port = argv[3];
  run.path = argv[4];
  run.connections = std::atol(argv[5]);
  run.channel = argv[6];
  run.messages = argc > 7 ? std::atol(argv[7]) : 0;

  net::io_context ioc(1);
  run.endpoints = tcp::resolver(ioc).resolve(run.host, run.port);
  // Open connections a window at a time: a burst of 10,000 SYNs overflows the accept
  // backlog and turns into retransmission timeouts.
  constexpr long kWindow = 256;
  net::steady_timer pacer(ioc);
  std::function<void()> open_more = [&] {
    while (run.started < run.connections && run.started - run.opened - run.failed < kWindow) {
      std::make_shared<Connection>(ioc, run, run.started++)->start();
    }
    if (run.started < run.connections) {
      pacer.expires_after(std::chrono::milliseconds(2));
      pacer.async_wait([&](beast::error_code) { open_more(); });
    }
  };
  open_more();
  // Idle mode ends when the driver closes stdin; both modes give up after 10 minutes.
  std::thread stdin_watch([&] {
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    if (!run.fanout) std::_Exit(0);
  });
  stdin_watch.detach();
  std::thread deadline([] {
    std::this_thread::sleep_for(std::chrono::minutes(10));
    std::cerr << "ws_clients: deadline passed\n";
    std::_Exit(1);
  });
  deadline.detach();
  ioc.run();
  std::cerr << "ws_clients: all connections ended (" << run.failed << " failed)\n";
  return 1;
}
