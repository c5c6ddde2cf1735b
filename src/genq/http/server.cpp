#include "genq/http/server.hpp"

#include <sched.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
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

// Accept failures (out of file descriptors, above all) back off instead of retrying at
// once: a retry loop spun a core and logged megabytes a second while the descriptors
// stayed used up. They are logged once per interval, with how many were not.
struct Server::Acceptor {
  static constexpr std::chrono::milliseconds kFirstBackoff{10};
  static constexpr std::chrono::milliseconds kMaxBackoff{1000};
  static constexpr std::chrono::seconds kLogInterval{10};

  explicit Acceptor(net::io_context& ioc) : acceptor(net::make_strand(ioc)), retry(acceptor.get_executor()) {}
  tcp::acceptor acceptor;
  net::steady_timer retry;  // on the acceptor's strand
  std::chrono::milliseconds backoff{0};
  std::chrono::steady_clock::time_point last_logged{};
  std::uint64_t unlogged = 0;

  // After a failure: logs it (or counts it towards the next log line) and returns how
  // long to wait before accepting again.
  std::chrono::milliseconds failed(const boost::system::error_code& ec) {
    backoff = backoff.count() == 0 ? kFirstBackoff : std::min(backoff * 2, kMaxBackoff);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_logged >= kLogInterval) {
      spdlog::warn("accept failed: {} ({} more failures since the last report); retrying in {} ms", ec.message(),
                   unlogged, backoff.count());
      last_logged = now;
      unlogged = 0;
    } else {
      ++unlogged;
    }
    return backoff;
  }

  // A connection past a cap: logged once per interval, with how many since.
  void refused(const net::ip::address& address) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_logged >= kLogInterval) {
      spdlog::warn("connection from {} refused: at the connection cap ({} more refused since the last report)",
                   address.to_string(), refusals_unlogged);
      last_refusal_logged = now;
      refusals_unlogged = 0;
    } else {
      ++refusals_unlogged;
    }
  }
  std::chrono::steady_clock::time_point last_refusal_logged{};
  std::uint64_t refusals_unlogged = 0;
};

namespace {
// Past a connection cap: a short answer the client can show, then the connection is
// closed. The write goes into an empty socket buffer, so it does not block.
void refuse(tcp::socket socket) {
  static constexpr std::string_view kAnswer =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
      "Retry-After: 1\r\nContent-Length: 52\r\n\r\n{\"message\":\"Too many connections; try again later.\"}";
  boost::system::error_code ec;
  socket.write_some(net::buffer(kAnswer.data(), kAnswer.size()), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}
}  // namespace

Server::Server(ServerOptions options, const Router& router, net::thread_pool& blocking_pool)
    : options_(resolved(std::move(options))),
      router_(router),
      pool_(blocking_pool),
      ioc_(options_.io_threads),
      limits_(ConnectionLimits::create(options_.connection_limits)) {}

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
      acceptor_->retry.expires_after(acceptor_->failed(ec));
      acceptor_->retry.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec && acceptor_->acceptor.is_open()) do_accept();
      });
      return;
    }
    acceptor_->backoff = std::chrono::milliseconds(0);
    auto peer = socket.remote_endpoint(ec);
    ConnectionLimits::Slot slot = ec ? nullptr : limits_->acquire(peer.address());
    if (!slot) {
      if (!ec) acceptor_->refused(peer.address());
      refuse(std::move(socket));
      return do_accept();
    }
    socket.set_option(tcp::no_delay(true), ec);
    std::make_shared<HttpSession>(std::move(socket), options_, router_, pool_, std::move(slot), sessions_)->run();
    do_accept();
  });
}

void Server::drain() {
  close_acceptor();
  sessions_->drain();
}

void Server::close_acceptor() {
  if (acceptor_) {
    net::post(acceptor_->acceptor.get_executor(), [this] {
      boost::system::error_code ec;
      acceptor_->retry.cancel();
      acceptor_->acceptor.close(ec);
    });
  }
}

void Server::stop() {
  close_acceptor();
  ioc_.stop();
}

void Server::join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace genq::http
