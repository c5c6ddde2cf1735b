#include "genq/http/http_session.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <optional>
#include <string>
#include <utility>

#include "genq/http/event_stream_connection.hpp"
#include "genq/http/file_sender.hpp"
#include "genq/http/multipart.hpp"
#include "genq/http/request_id.hpp"
#include "genq/http/responses.hpp"
#include "genq/http/target.hpp"
#include "genq/http/tls_certificate.hpp"
#include "genq/logging/log_context.hpp"

namespace genq::http {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

namespace {

// A TLS download's read and write size: the most one TLS record carries is 16 KiB,
// and 64 KiB makes four records per syscall pair.
constexpr std::size_t kFileChunkBytes = 64 * 1024;

// What makes a request's framing untrustworthy (RFC 9112 §6.1, §3.2): a transfer
// coding other than chunked, which genq would otherwise ignore and parse the body as
// the next request (request smuggling behind a proxy that honours it), and an HTTP/1.1
// request without Host. The status and message to refuse it with, or nullopt.
std::optional<std::pair<unsigned, std::string>> framing_problem(const bhttp::request_header<>& header) {
  if (header.version() >= 11 && header.find(bhttp::field::host) == header.end()) {
    return std::pair<unsigned, std::string>{400, "HTTP/1.1 requests must carry a Host header."};
  }
  auto te = header.find(bhttp::field::transfer_encoding);
  if (te == header.end()) return std::nullopt;
  std::string coding(te->value());
  std::erase_if(coding, [](char c) { return c == ' ' || c == '\t'; });
  if (beast::iequals(coding, "chunked") && header.count(bhttp::field::transfer_encoding) == 1) return std::nullopt;
  return std::pair<unsigned, std::string>{
      501, "Transfer-Encoding '" + std::string(te->value()) + "' is not supported: send the body as is or chunked."};
}

std::string body_too_large_message(std::size_t limit) {
  return "The request body is too large (limit " + std::to_string(limit) + " bytes).";
}

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket&& socket, const ServerOptions& options, const Router& router,
                         net::thread_pool& pool, std::shared_ptr<void> slot,
                         std::shared_ptr<SessionRegistry> registry)
    : stream_(std::move(socket)),
      options_(options),
      router_(router),
      pool_(pool),
      slot_(std::move(slot)),
      registry_(std::move(registry)) {}

HttpSession::~HttpSession() {
  // A spooled body whose answer was never written (the client went away first).
  if (file_parser_ && !request_.body_file.empty()) std::remove(request_.body_file.c_str());
  if (lingering_) registry_->remove_lingering();
  if (registered_) registry_->remove(*registered_);
}

void HttpSession::run() {
  registered_ = registry_->add(weak_from_this());
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (!self->options_.tls) return self->do_read_header();
    self->waiting_for_request_ = true;  // until the client's first bytes: drain() may close
    self->stream_.tcp().expires_after(self->options_.read_timeout);
    self->stream_.async_accept_tls(self->options_.tls->current(), self->buffer_,
                                   beast::bind_front_handler(&HttpSession::on_accept_tls, self));
  });
}

void HttpSession::on_accept_tls(beast::error_code ec, bool tls) {
  waiting_for_request_ = false;
  if (ec) {
    // Scanners, clients that reject the certificate, timeouts: routine, hence debug.
    spdlog::debug("TLS handshake failed: {}", ec.message());
    return do_close();
  }
  if (!tls) return refuse_plain_http();
  do_read_header();
}

// Serving plain HTTP on the TLS port would make a mistyped http:// URL work and go on
// sending API keys in clear unnoticed; so would a redirect (the keys are out before it
// is followed). A 400 that says what to do instead, as nginx answers.
void HttpSession::refuse_plain_http() {
  static constexpr std::string_view kAnswer =
      "HTTP/1.1 400 Bad Request\r\nServer: genq\r\nContent-Type: application/json\r\nConnection: close\r\n"
      "Content-Length: 77\r\n\r\n{\"message\":\"This port speaks HTTPS only: use https:// to reach this server.\"}";
  stream_.tcp().expires_after(options_.read_timeout);
  net::async_write(stream_.tcp(), net::buffer(kAnswer.data(), kAnswer.size()),
                   [self = shared_from_this()](beast::error_code, std::size_t) { self->do_close(); });
}

void HttpSession::drain() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->waiting_for_request_ && self->buffer_.size() == 0) {
      beast::error_code ignored;
      self->stream_.tcp().socket().cancel(ignored);  // on_read_header sees operation_aborted and closes
    }
  });
}

void HttpSession::do_read_header() {
  if (registry_->draining()) return do_close();
  waiting_for_request_ = true;
  header_parser_.emplace();
  header_parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
  // No limit while only the header is read: the route decides (body_limit() below), so
  // a large Content-Length is its 413, not Beast's default 1 MB refusal.
  header_parser_->body_limit(boost::none);
  string_parser_.reset();
  file_parser_.reset();
  request_ = Request{};
  stream_.tcp().expires_after(options_.idle_timeout);
  bhttp::async_read_header(stream_, buffer_, *header_parser_,
                           beast::bind_front_handler(&HttpSession::on_read_header, shared_from_this()));
}

void HttpSession::on_read_header(beast::error_code ec, std::size_t) {
  waiting_for_request_ = false;
  if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
      ec == net::error::operation_aborted || ec == beast::error::timeout ||
      ec == net::error::connection_reset || Transport::truncated(ec)) {
    return do_close();
  }
  started_ = std::chrono::steady_clock::now();
  if (ec == bhttp::error::header_limit) {
    keep_alive_ = false;
    return finish_with_error(431, "Request header fields too large.");
  }
  if (ec) {
    keep_alive_ = false;
    return finish_with_error(400, "Malformed HTTP request: " + ec.message() + ".");
  }
  const auto& header = header_parser_->get();
  version_ = header.version();
  keep_alive_ = header.keep_alive();
  if (auto refused = framing_problem(header)) {
    // The body's extent is unknown, so nothing after this header can be trusted to
    // be a request of its own: answer and close.
    keep_alive_ = false;
    return finish_with_error(refused->first, std::move(refused->second));
  }
  request_.method = header.method();
  request_.target = std::string(header.target());
  request_.headers = static_cast<const bhttp::fields&>(header);
  if (remote_address_.empty()) {  // once per connection: two syscalls' worth per request otherwise
    beast::error_code addr_ec;
    auto remote = stream_.tcp().socket().remote_endpoint(addr_ec);
    if (!addr_ec) remote_address_ = remote.address().to_string();
  }
  request_.remote_address = remote_address_;
  request_.id = request_id_for(request_.header("X-Request-Id"));
  request_.run_blocking = [&pool = pool_](std::function<void()> work) { net::post(pool, std::move(work)); };

  if (!split_target(request_.target, request_.path, request_.query)) {
    keep_alive_ = false;
    return finish_with_error(400, "Malformed request target.");
  }

  if (options_.upgrade.take && beast::websocket::is_upgrade(header) && options_.upgrade.wants(request_.path)) {
    // Clients wait for the 101 before sending frames, so buffer_ holds nothing of theirs.
    stream_.tcp().expires_never();
    return options_.upgrade.take(std::move(stream_), header_parser_->release(), std::move(slot_));
  }

  bool has_body = !header_parser_->is_done();
  if (request_.method == bhttp::verb::unknown) {
    keep_alive_ = keep_alive_ && !has_body;
    return finish_with_error(405, "Method not allowed.");
  }
  match_ = router_.match(request_.method, request_.path);
  if (!match_.route) {
    keep_alive_ = keep_alive_ && !has_body;  // the unread body would corrupt the next request
    if (!match_.allowed.empty()) {
      std::string allow;
      for (auto verb : match_.allowed) {
        if (!allow.empty()) allow += ", ";
        allow += std::string(bhttp::to_string(verb));
      }
      Response r = error_response(405, "Method not allowed.");
      r.headers.emplace_back("Allow", allow);
      return send(std::move(r));
    }
    return finish_with_error(404, "Not found.");
  }
  request_.path_params = std::move(match_.params);

  if (match_.route->admit) {
    if (std::optional<Response> refused = match_.route->admit(request_)) {
      keep_alive_ = keep_alive_ && !has_body;  // the body stays unread
      return send(std::move(*refused));
    }
  }
  const std::size_t limit = body_limit();
  if (auto length = header_parser_->content_length(); length && *length > limit) {
    keep_alive_ = false;
    return finish_with_error(413, body_too_large_message(limit));
  }
  if (!has_body) {
    stream_.tcp().expires_never();
    return dispatch();
  }
  const bool to_file = match_.route->stream_body_to_file ||
                       (match_.route->spool_multipart && !multipart_boundary(header[bhttp::field::content_type]).empty());
  auto read_body = [self = shared_from_this(), limit, to_file] {
    if (to_file && self->options_.upload_temp_path) {
      self->file_parser_.emplace(std::move(*self->header_parser_));
      self->file_parser_->body_limit(limit);
      self->request_.body_file = self->options_.upload_temp_path();
      beast::error_code open_ec;
      self->file_parser_->get().body().open(self->request_.body_file.c_str(), beast::file_mode::write, open_ec);
      if (open_ec) {
        spdlog::error("cannot open upload file {}: {}", self->request_.body_file, open_ec.message());
        self->keep_alive_ = false;
        return self->finish_with_error(500, "Cannot store the upload.");
      }
    } else {
      self->string_parser_.emplace(std::move(*self->header_parser_));
      self->string_parser_->body_limit(limit);
    }
    self->do_read_body();
  };
  if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
    return send_continue_then(std::move(read_body));
  }
  read_body();
}

std::size_t HttpSession::body_limit() const {
  const Route& route = *match_.route;
  if (route.body_limit_for) return route.body_limit_for(request_);
  return route.body_limit ? route.body_limit : options_.body_limit;
}

void HttpSession::send_continue_then(std::function<void()> next) {
  auto msg = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, version_);
  pending_write_ = msg;
  stream_.tcp().expires_after(options_.read_timeout);
  bhttp::async_write(stream_, *msg, [self = shared_from_this(), next = std::move(next)](beast::error_code ec, std::size_t) {
    if (ec) return self->do_close();
    next();
  });
}

// The read timeout is a stall deadline, renewed by every read that makes progress: a
// whole-body deadline refused a 200 MB upload on any link slower than ~7 MB/s.
void HttpSession::do_read_body() {
  stream_.tcp().expires_after(options_.read_timeout);
  auto handler = beast::bind_front_handler(&HttpSession::on_read_body_some, shared_from_this());
  if (file_parser_) {
    bhttp::async_read_some(stream_, buffer_, *file_parser_, std::move(handler));
  } else {
    bhttp::async_read_some(stream_, buffer_, *string_parser_, std::move(handler));
  }
}

void HttpSession::on_read_body_some(beast::error_code ec, std::size_t bytes) {
  const bool done = file_parser_ ? file_parser_->is_done() : string_parser_->is_done();
  if (!ec && !done) return do_read_body();
  on_read_body(ec, bytes);
}

void HttpSession::on_read_body(beast::error_code ec, std::size_t) {
  if (ec == bhttp::error::body_limit) {
    keep_alive_ = false;
    return finish_with_error(413, body_too_large_message(body_limit()));
  }
  if (ec) {
    if (file_parser_) {  // an aborted or malformed upload leaves nothing on disk
      file_parser_->get().body().close();
      std::remove(request_.body_file.c_str());
    }
    return do_close();
  }
  if (file_parser_) {
    file_parser_->get().body().close();
  } else {
    request_.body = std::move(string_parser_->get().body());
  }
  stream_.tcp().expires_never();  // handlers may long-poll; the write sets its own deadline
  dispatch();
}

void HttpSession::dispatch() {
  auto replied = std::make_shared<std::atomic<bool>>(false);
  Reply reply = [self = shared_from_this(), replied](Response response) {
    if (replied->exchange(true)) return;  // exactly once, whatever the handler does
    net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
      self->send(std::move(response));
    });
  };
  auto run = [self = shared_from_this(), reply] {
    const log_context::RequestScope scope(self->request_.id);
    try {
      self->match_.route->handler(self->request_, reply);
    } catch (const std::exception& e) {
      spdlog::error("handler {} threw: {}", self->match_.route->name, e.what());
      reply(error_response(500, "Internal server error."));
    }
  };
  if (match_.route->exec == Exec::Pool) {
    net::post(pool_, std::move(run));
  } else {
    run();
    if (request_.on_client_gone && !replied->load()) watch_for_hangup(replied);
  }
}

void HttpSession::watch_for_hangup(std::shared_ptr<std::atomic<bool>> replied) {
  watching_hangup_ = true;
  stream_.tcp().socket().async_wait(
      net::socket_base::wait_read, [self = shared_from_this(), replied](beast::error_code ec) {
        if (ec || !self->watching_hangup_ || replied->load()) return;  // cancelled by send()
        // Asio's reactor may report a socket readable from an edge it saw before (the
        // request's own bytes, already read): peek to tell end of stream (0) from
        // bytes of a pipelined request (> 0: the client is there, stop watching) and
        // from nothing at all (EAGAIN: wait again).
        char byte = 0;
        const ssize_t peeked =
            ::recv(self->stream_.tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
          return self->watch_for_hangup(replied);
        }
        self->watching_hangup_ = false;
        // End of stream, or the connection failed. Under TLS a client that closes
        // sends an alert record (type 21, close_notify) first; a pipelined request
        // would come as an application-data record (23).
        constexpr char kTlsAlertRecord = 21;
        if (peeked <= 0 || (self->stream_.is_tls() && byte == kTlsAlertRecord)) {
          if (auto gone = std::move(self->request_.on_client_gone)) gone();
        }
      });
}

void HttpSession::finish_with_error(unsigned status, std::string message) {
  send(error_response(status, std::move(message)));
}

void HttpSession::send(Response response) {
  request_.on_client_gone = nullptr;
  if (watching_hangup_) {
    watching_hangup_ = false;
    beast::error_code ignored;
    stream_.tcp().socket().cancel(ignored);
  }
  if (registry_->draining()) keep_alive_ = false;  // the client's next request goes to the restarted server
  if (options_.on_request) {
    const log_context::RequestScope scope(request_.id);
    options_.on_request(match_.route, request_, response.status,
                        std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - started_));
  }
  auto fill = [&](auto& msg) {
    msg.version(version_);
    msg.keep_alive(keep_alive_);
    msg.set(bhttp::field::server, "genq");
    // A download's bytes are whatever a client uploaded or a model made: browsers must
    // not guess a more dangerous type than the one sent.
    msg.set("X-Content-Type-Options", "nosniff");
    msg.set(bhttp::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) msg.set(name, value);
    if (!request_.id.empty()) msg.set("X-Request-Id", request_.id);
  };
  stream_.tcp().expires_after(options_.read_timeout);
  if (response.stream && request_.method != bhttp::verb::head) return send_stream(response, fill);
  if (!response.file_path.empty()) {
    const int fd = ::open(response.file_path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat info {};
    if (fd >= 0 && ::fstat(fd, &info) == 0) {
      return send_file(response, fd, static_cast<std::uint64_t>(info.st_size), fill);
    }
    if (fd >= 0) ::close(fd);
    response = error_response(404, "Not found.");
  }
  auto msg = std::make_shared<bhttp::response<bhttp::string_body>>(
      static_cast<bhttp::status>(response.status), version_, std::move(response.body));
  fill(*msg);
  if (request_.method == bhttp::verb::head) {
    auto size = msg->body().size();
    msg->body().clear();
    msg->content_length(size);
  } else {
    msg->prepare_payload();
  }
  pending_write_ = msg;
  bhttp::async_write(stream_, *msg,
                     beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), msg->need_eof()));
}

template <typename Fill>
void HttpSession::send_file(const Response& response, int fd, std::uint64_t size, const Fill& fill) {
  auto header = std::make_shared<bhttp::response<bhttp::empty_body>>(static_cast<bhttp::status>(response.status),
                                                                     version_);
  fill(*header);
  header->content_length(size);
  pending_write_ = header;
  const bool close = header->need_eof();
  if (request_.method == bhttp::verb::head || size == 0) {
    ::close(fd);
    bhttp::async_write(stream_, *header, beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), close));
    return;
  }
  bhttp::async_write(stream_, *header, [self = shared_from_this(), fd, size, close](beast::error_code ec, std::size_t) {
    if (ec) {
      ::close(fd);
      return self->on_write(close, ec, 0);
    }
    if (self->stream_.is_tls()) {
      return self->send_file_chunks(fd, 0, size, close, std::make_shared<std::vector<char>>(kFileChunkBytes));
    }
    // The body bypasses Beast: sendfile from the page cache straight to the socket,
    // under FileSender's own stall deadline.
    self->stream_.tcp().expires_never();
    FileSender::start(self->stream_.tcp().socket(), fd, size, self->options_.read_timeout,
                      [self, close](beast::error_code sent_ec) { self->on_write(close, sent_ec, 0); });
  });
}

template <typename Fill>
void HttpSession::send_stream(Response& response, const Fill& fill) {
  keep_alive_ = false;  // the body ends with the connection
  auto header = std::make_shared<bhttp::response<bhttp::empty_body>>(static_cast<bhttp::status>(response.status),
                                                                     version_);
  fill(*header);
  header->set(bhttp::field::cache_control, "no-cache");
  // nginx and other proxies would buffer the stream without it.
  header->set("X-Accel-Buffering", "no");
  pending_write_ = header;
  // `fill` read `response`: only now may its callback move out.
  bhttp::async_write(stream_, *header,
                     [self = shared_from_this(), take = std::move(response.stream)](beast::error_code ec, std::size_t) {
                       self->pending_write_.reset();
                       if (ec) return self->do_close();
                       // The stream owns the connection from here; this session ends.
                       take(adopt_event_stream(std::move(self->stream_), std::move(self->slot_)));
                     });
}

void HttpSession::send_file_chunks(int fd, std::uint64_t offset, std::uint64_t size, bool close,
                                   std::shared_ptr<std::vector<char>> chunk) {
  if (offset == size) {
    ::close(fd);
    return on_write(close, {}, 0);
  }
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk->size(), size - offset));
  ssize_t got = 0;
  do {
    got = ::pread(fd, chunk->data(), want, static_cast<off_t>(offset));
  } while (got < 0 && errno == EINTR);
  if (got <= 0) {  // an error, or the file shrank: the promised length cannot be met
    ::close(fd);
    return on_write(close, got < 0 ? beast::error_code(errno, boost::system::system_category())
                                   : beast::error_code(net::error::eof), 0);
  }
  stream_.tcp().expires_after(options_.read_timeout);
  net::async_write(stream_, net::buffer(chunk->data(), static_cast<std::size_t>(got)),
                   [self = shared_from_this(), fd, offset, size, close, chunk](beast::error_code ec,
                                                                                std::size_t written) mutable {
                     if (ec) {
                       ::close(fd);
                       return self->on_write(close, ec, 0);
                     }
                     self->send_file_chunks(fd, offset + written, size, close, std::move(chunk));
                   });
}

void HttpSession::on_write(bool close, beast::error_code ec, std::size_t) {
  pending_write_.reset();
  if (!request_.body_file.empty() && file_parser_) {
    // The handler adopted the upload or left it; remove a leftover temp file.
    std::remove(request_.body_file.c_str());
  }
  if (ec) return do_close();
  if (close || !keep_alive_) return do_close();
  do_read_header();
}

void HttpSession::do_close() {
  beast::error_code ec;
  stream_.tcp().socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (ec) return;
  // Lingering close: after an early answer (413, 401, a malformed header) the client may
  // still be sending the body it announced. Closing with those bytes unread makes the
  // kernel reset the connection, and the reset can overtake the answer: the client
  // reports "connection reset" instead of the 413. So drop what arrives until the
  // client closes, for a bounded time (nginx's lingering_close does the same).
  stream_.tcp().expires_after(kLingerTime);
  if (!lingering_) {
    lingering_ = true;
    registry_->add_lingering();
  }
  discard_until_eof();
}

void HttpSession::discard_until_eof() {
  if (!linger_buffer_) linger_buffer_ = std::make_unique<char[]>(kLingerBufferBytes);
  // The TCP layer even under TLS: the bytes are dropped, so nothing needs decrypting.
  stream_.tcp().async_read_some(net::buffer(linger_buffer_.get(), kLingerBufferBytes),
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                  if (!ec) self->discard_until_eof();
                                });
}

}  // namespace genq::http
