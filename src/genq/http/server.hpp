#pragma once
// The HTTP/1.1 server: one acceptor, I/O threads running one io_context, one Session
// per connection (http_session.cpp). Knows routes, not jobs.
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "genq/core/error.hpp"
#include "genq/http/connection_limits.hpp"
#include "genq/http/router.hpp"
#include "genq/http/session_registry.hpp"
#include "genq/http/transport.hpp"

namespace genq::http {

class TlsCertificate;

// Takes over connections that ask to switch to WebSocket (GET + Upgrade: websocket)
// on paths it `wants`; the HTTP layer hands over the stream and the parsed request
// and forgets the connection. Both empty: upgrade requests are routed like any other.
struct UpgradeHook {
  std::function<bool(std::string_view path)> wants;
  // `slot` is the connection's place under the connection caps: keep it as long as
  // the socket is open.
  std::function<void(Transport&& stream,
                     boost::beast::http::request<boost::beast::http::empty_body>&& request,
                     std::shared_ptr<void> slot)>
      take;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  int io_threads = 0;                       // 0 = one per core in the CPU affinity mask
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 1024 * 1024;     // default for routes without their own
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds idle_timeout{75'000};  // keep-alive connection with no request
  std::function<std::string()> upload_temp_path;   // where streamed bodies go
  // Called once per finished request (metrics, access log), on its session's thread
  // with its request id current for log lines. May be empty.
  std::function<void(const Route* route, const Request& request, unsigned status, std::chrono::microseconds)>
      on_request;
  UpgradeHook upgrade;
  // Past a cap a new connection gets a 503 and is closed (docs/security.md).
  ConnectionLimitOptions connection_limits;
  // Set: every connection must speak TLS with this certificate (HTTPS, WSS); a plain
  // HTTP request is answered 400 and the connection closed. Null: plain HTTP.
  std::shared_ptr<TlsCertificate> tls;
};

// Owns the io_context and its threads. listen() binds and returns the bound port;
// run() starts the I/O threads; drain() winds connections down; stop() closes the
// acceptor and ends the threads. Not copyable.
class Server {
 public:
  Server(ServerOptions options, const Router& router, boost::asio::thread_pool& blocking_pool);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Result<unsigned short> listen();
  void run();
  // The first step of a graceful stop: accepts no more connections, closes idle ones,
  // and lets every request already read be answered (then its connection closes).
  void drain();
  // HTTP connections with a request still to answer (WebSocket ones are not counted:
  // they left the server; nor are those that answered and only wait to be closed).
  std::size_t busy_sessions() const { return sessions_->busy(); }
  void stop();
  void join();
  boost::asio::io_context& io_context() { return ioc_; }

 private:
  void do_accept();
  void close_acceptor();

  ServerOptions options_;
  const Router& router_;
  boost::asio::thread_pool& pool_;
  boost::asio::io_context ioc_;
  std::shared_ptr<ConnectionLimits> limits_;
  std::shared_ptr<SessionRegistry> sessions_ = std::make_shared<SessionRegistry>();
  struct Acceptor;
  std::unique_ptr<Acceptor> acceptor_;
  std::vector<std::thread> threads_;
};

}  // namespace genq::http
