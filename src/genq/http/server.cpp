#include "genq/http/server.hpp"

#include <sched.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "genq/http/http_session.hpp"

namespace genq::http {
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// "One per core" counts the cores this process may run on (taskset, cgroup cpusets),
// not the machine's: a server pinned to one core ran ~10% slower with a second I/O
// thread contending for it.
int io_thread_count(int configured) {
  if (configured > 0) return configured;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0) return std::max(1, CPU_COUNT(&allowed));
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// The options with io_threads resolved once, for the io_context's hint and for run().
ServerOptions resolved(ServerOptions options) {
  options.io_threads = io_thread_count(options.io_threads);
  return options;
}

}  // namespace

struct Server::Acceptor {
  explicit Acceptor(net::io_context& ioc) : acceptor(net::make_strand(ioc)) {}
  tcp::acceptor acceptor;
};

Server::Server(ServerOptions options, const Router& router, net::thread_pool& blocking_pool)
    : options_(resolved(std::move(options))), router_(router), pool_(blocking_pool), ioc_(options_.io_threads) {}

Server::~Server() {
  stop();
  join();
}

Result<unsigned short> Server::listen() {
  boost::system::error_code ec;
  auto address = net::ip::make_address(options_.host, ec);
  if (ec) return fail(Error::invalid("bad listen address '" + options_.host + "'"));
  tcp::endpoint endpoint(address, options_.port);
  acceptor_ = std::make_unique<Acceptor>(ioc_);
  auto& a = acceptor_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return fail(Error::unavailable("cannot listen on " + options_.host + ":" +
                                   std::to_string(options_.port) + ": " + ec.message()));
  }
  unsigned short port = a.local_endpoint().port();
  do_accept();
  return port;
}

void Server::run() {
  for (int i = 0; i < options_.io_threads; ++i) {
    threads_.emplace_back([this] { ioc_.run(); });
  }
}

void Server::do_accept() {
  acceptor_->acceptor.async_accept(net::make_strand(ioc_), [this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (ec) {
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<HttpSession>(std::move(socket), options_, router_, pool_)->run();
    }
    do_accept();
  });
}

void Server::stop() {
  if (acceptor_) {
    net::post(acceptor_->acceptor.get_executor(), [this] {
      boost::system::error_code ec;
      acceptor_->acceptor.close(ec);
    });
  }
  ioc_.stop();
}

void Server::join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace genq::http
