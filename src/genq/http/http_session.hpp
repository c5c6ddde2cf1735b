#pragma once
// One HTTP connection (Beast advanced_server pattern): owns its stream and buffer,
// reads header -> routes -> reads body (string or streamed to a file) -> dispatches
// -> writes -> loops while keep-alive. Lives as long as an async operation or a
// pending Reply holds its shared_ptr. All socket work runs on the session's strand.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "genq/http/router.hpp"
#include "genq/http/server.hpp"
#include "genq/http/session_registry.hpp"
#include "genq/http/transport.hpp"

namespace genq::http {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `slot`: the connection's place under the connection caps, held while it is open.
  HttpSession(boost::asio::ip::tcp::socket&& socket, const ServerOptions& options, const Router& router,
              boost::asio::thread_pool& pool, std::shared_ptr<void> slot, std::shared_ptr<SessionRegistry> registry);
  ~HttpSession();
  // Starts with the TLS handshake when the server has a certificate, else reads.
  void run();
  // The server is shutting down (SessionRegistry::drain): closes the connection now if
  // it waits for a request of which nothing has arrived; otherwise the request being
  // read or handled is answered, with Connection: close.
  void drain();

 private:
  using HeaderParser = boost::beast::http::request_parser<boost::beast::http::empty_body>;
  using StringParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
  using FileParser = boost::beast::http::request_parser<boost::beast::http::file_body>;

  void on_accept_tls(boost::beast::error_code ec, bool tls);
  // A client that spoke plain HTTP to the TLS port: a 400 in plain text, then the close.
  void refuse_plain_http();
  void do_read_header();
  void on_read_header(boost::beast::error_code ec, std::size_t);
  void send_continue_then(std::function<void()> next);
  // Requires: match_.route set. The matched route's limit for this request's body.
  std::size_t body_limit() const;
  void do_read_body();
  void on_read_body_some(boost::beast::error_code ec, std::size_t bytes);
  void on_read_body(boost::beast::error_code ec, std::size_t);
  void dispatch();
  // While an Inline long-poll handler waits: notices the client closing the
  // connection and calls Request::on_client_gone.
  void watch_for_hangup(std::shared_ptr<std::atomic<bool>> replied);
  void send(Response response);
  // A download: Beast writes the header, FileSender the body (sendfile), or under TLS
  // send_file_chunks. Owns `fd`.
  template <typename Fill>
  void send_file(const Response& response, int fd, std::uint64_t size, const Fill& fill);
  // An event stream: Beast writes the header, then the connection goes to the
  // response's stream callback (event_stream_connection.hpp) and this session ends.
  template <typename Fill>
  void send_stream(Response& response, const Fill& fill);
  // Under TLS, where sendfile cannot encrypt: the file read and written a chunk at a
  // time, each write under the read timeout. `chunk` is shared by the steps; owns `fd`.
  void send_file_chunks(int fd, std::uint64_t offset, std::uint64_t size, bool close,
                        std::shared_ptr<std::vector<char>> chunk);
  void on_write(bool close, boost::beast::error_code ec, std::size_t);
  void finish_with_error(unsigned status, std::string message);
  void do_close();
  void discard_until_eof();

  static constexpr std::chrono::seconds kLingerTime{5};
  static constexpr std::size_t kLingerBufferBytes = 16 * 1024;

  Transport stream_;
  boost::beast::flat_buffer buffer_;
  const ServerOptions& options_;
  const Router& router_;
  boost::asio::thread_pool& pool_;

  std::optional<HeaderParser> header_parser_;
  std::optional<StringParser> string_parser_;
  std::optional<FileParser> file_parser_;
  Request request_;
  std::string remote_address_;  // the peer, looked up at the first request
  Match match_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  std::chrono::steady_clock::time_point started_;
  std::shared_ptr<void> pending_write_;  // keeps the message alive during async_write
  bool watching_hangup_ = false;         // an async_wait for readability is outstanding
  std::unique_ptr<char[]> linger_buffer_;  // only while closing (do_close)
  std::shared_ptr<void> slot_;             // moves to the WebSocket on an upgrade
  std::shared_ptr<SessionRegistry> registry_;
  std::optional<SessionRegistry::Handle> registered_;
  bool waiting_for_request_ = false;  // in async_read_header or TLS detection (nothing may have come yet)
  bool lingering_ = false;            // in do_close: answered, waiting for the client's end
};

}  // namespace genq::http
