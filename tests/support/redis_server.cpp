#include "support/redis_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "support/free_port.hpp"
#include "support/wait.hpp"

namespace genq::testing {
namespace {

using namespace std::chrono_literals;

std::string find_redis_server() {
  if (const char* named = std::getenv("GENQ_REDIS_SERVER"); named && *named) return named;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::filesystem::path candidate = std::filesystem::path(dirs.substr(start, end - start)) / "redis-server";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  throw std::runtime_error(
      "redis-server not found in PATH: install Debian's redis-server package (scripts/install-deps.sh) "
      "or set GENQ_REDIS_SERVER to its path");
}

// One request, one reply line, on a fresh connection with a 2 s timeout.
std::string send_inline(std::uint16_t port, const std::string& line) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    const std::string problem = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("connect 127.0.0.1:" + std::to_string(port) + ": " + problem);
  }
  const std::string request = line + "\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    ::close(fd);
    throw std::runtime_error("send to redis-server failed");
  }
  std::string reply;
  char c = 0;
  while (::recv(fd, &c, 1, 0) == 1 && c != '\n') {
    if (c != '\r') reply.push_back(c);
  }
  ::close(fd);
  if (reply.empty()) throw std::runtime_error("no reply from redis-server to '" + line + "'");
  return reply;
}

}  // namespace

RedisServer::RedisServer() : binary_(find_redis_server()), dir_("genq-redis") {
  // A port picked free can be taken before redis binds it: try a few.
  std::string last_problem;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = free_port();
    try {
      launch(10s);
      return;
    } catch (const std::runtime_error& e) {
      last_problem = e.what();
      process_.reset();
    }
  }
  throw std::runtime_error("redis-server did not start: " + last_problem);
}

RedisServer::~RedisServer() { stop(); }

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

void RedisServer::launch(std::chrono::milliseconds timeout) {
  process_ = std::make_unique<ChildProcess>(std::vector<std::string>{
      binary_, "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
      "--dir", dir_.path().string(), "--protected-mode", "no", "--loglevel", "warning"});
  const bool ready = wait_until(timeout, [&] {
    if (!process_->running()) return true;  // exited: reported below
    try {
      return send_inline(port_, "PING") == "+PONG";
    } catch (const std::runtime_error&) {
      return false;
    }
  });
  if (!process_->running()) {
    throw std::runtime_error("redis-server exited at start on port " + std::to_string(port_) + ": " +
                             process_->output());
  }
  if (!ready) {
    throw std::runtime_error("redis-server did not answer PING on port " + std::to_string(port_) + " within " +
                             std::to_string(timeout.count()) + " ms: " + process_->output());
  }
}

void RedisServer::stop() {
  if (!process_) return;
  process_->kill(SIGCONT);  // a frozen server must run to hear SIGTERM
  process_->kill(SIGTERM);
  if (!process_->wait_exit(5s)) {
    process_->kill(SIGKILL);
    process_->wait_exit(5s);
  }
  process_.reset();
}

void RedisServer::start() {
  if (process_) return;
  // The old listening socket is gone once the process is reaped; redis binds with
  // SO_REUSEADDR, so the port is free again at once unless someone else took it.
  launch(10s);
}

void RedisServer::freeze() {
  if (process_) process_->kill(SIGSTOP);
}

void RedisServer::thaw() {
  if (process_) process_->kill(SIGCONT);
}

std::string RedisServer::command(const std::string& line) const { return send_inline(port_, line); }

}  // namespace genq::testing
