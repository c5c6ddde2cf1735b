#include "genq/http/event_stream_connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <deque>
#include <mutex>

namespace genq::http {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;

class EventStreamConnection final : public EventStream, public std::enable_shared_from_this<EventStreamConnection> {
 public:
  EventStreamConnection(Transport&& stream, std::shared_ptr<void> slot)
      : stream_(std::move(stream)), slot_(std::move(slot)), keep_alive_(stream_.get_executor()) {}

  void start() {
    stream_.tcp().expires_never();
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->watch_for_end();
      self->arm_keep_alive();
    });
  }

  void write(std::string bytes) override { enqueue(std::move(bytes), true); }

  void close() override {
    bool start = false;
    {
      std::lock_guard lock(mutex_);
      if (closing_) return;
      closing_ = true;
      start = !writing_;
      writing_ = true;
    }
    if (start) net::post(stream_.get_executor(), [self = shared_from_this()] { self->write_next(); });
  }

  void on_closed(std::function<void()> closed) override {
    net::post(stream_.get_executor(), [self = shared_from_this(), closed = std::move(closed)]() mutable {
      if (self->ended_) return closed();
      self->closed_ = std::move(closed);
    });
  }

 private:
  // Requires: mutex_ held. Drops what waits, but never the string being written.
  void drop_queued_locked() {
    while (queue_.size() > (writing_ ? 1u : 0u)) {
      queued_bytes_ -= queue_.back().size();
      queue_.pop_back();
    }
  }

  // `activity`: an event, which makes the next keep-alive unnecessary.
  void enqueue(std::string bytes, bool activity) {
    bool start_writing = false;
    {
      std::lock_guard lock(mutex_);
      if (closing_) return;
      if (activity) wrote_since_tick_ = true;
      if (queued_bytes_ + bytes.size() > kMaxQueuedBytes) {
        // The client does not read: end the stream instead of holding its backlog.
        closing_ = true;
        drop_queued_locked();
      } else {
        queued_bytes_ += bytes.size();
        queue_.push_back(std::move(bytes));
      }
      start_writing = !writing_;
      writing_ = true;
    }
    if (start_writing) net::post(stream_.get_executor(), [self = shared_from_this()] { self->write_next(); });
  }

  // Strand only from here on.
  void write_next() {
    const std::string* next = nullptr;
    bool finish = false;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) {
        writing_ = false;
        finish = closing_;
      } else {
        writing_ = true;
        next = &queue_.front();
      }
    }
    if (finish) return end();
    if (!next) return;
    net::async_write(stream_, net::buffer(*next), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      {
        std::lock_guard lock(self->mutex_);
        self->queued_bytes_ -= self->queue_.front().size();
        self->queue_.pop_front();
      }
      if (ec) return self->end();
      self->write_next();
    });
  }

  void watch_for_end() {
    stream_.async_read_some(net::buffer(read_buffer_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      // A client of an event stream sends nothing more: any end or error is its end.
      if (ec) return self->end();
      self->watch_for_end();
    });
  }

  void arm_keep_alive() {
    keep_alive_.expires_after(kKeepAlive);
    keep_alive_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->ended_) return;
      bool idle = false;
      {
        std::lock_guard lock(self->mutex_);
        idle = !self->wrote_since_tick_;
        self->wrote_since_tick_ = false;
      }
      if (idle) self->enqueue(":\n\n", false);
      self->arm_keep_alive();
    });
  }

  void end() {
    if (ended_) return;
    ended_ = true;
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
      drop_queued_locked();
    }
    keep_alive_.cancel();
    beast::error_code ignored;
    stream_.tcp().socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    stream_.tcp().socket().close(ignored);
    slot_.reset();
    if (auto closed = std::move(closed_)) closed();
  }

  Transport stream_;
  std::shared_ptr<void> slot_;
  net::steady_timer keep_alive_;
  std::array<char, 512> read_buffer_{};
  std::function<void()> closed_;  // strand only
  bool ended_ = false;            // strand only

  std::mutex mutex_;
  std::deque<std::string> queue_;  // GUARDED_BY(mutex_); the front is being written while writing_
  std::size_t queued_bytes_ = 0;   // GUARDED_BY(mutex_)
  bool writing_ = false;           // GUARDED_BY(mutex_)
  bool closing_ = false;           // GUARDED_BY(mutex_)
  bool wrote_since_tick_ = false;  // GUARDED_BY(mutex_)
};

}  // namespace

std::shared_ptr<EventStream> adopt_event_stream(Transport&& stream, std::shared_ptr<void> slot) {
  auto connection = std::make_shared<EventStreamConnection>(std::move(stream), std::move(slot));
  connection->start();
  return connection;
}

}  // namespace genq::http
