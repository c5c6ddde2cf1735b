#include "genq/http/file_sender.hpp"

#include <sys/sendfile.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <boost/asio/error.hpp>

namespace genq::http {
namespace net = boost::asio;

namespace {
// Per sendfile call: large enough that syscalls are few, small enough that one
// download cannot hold the I/O thread from its other connections for long.
constexpr std::uint64_t kChunk = 4 << 20;
}  // namespace

void FileSender::start(net::ip::tcp::socket& socket, int fd, std::uint64_t size,
                       std::chrono::milliseconds stall_timeout, Done done) {
  std::make_shared<FileSender>(socket, fd, size, stall_timeout, std::move(done))->send_some();
}

FileSender::FileSender(net::ip::tcp::socket& socket, int fd, std::uint64_t size,
                       std::chrono::milliseconds stall_timeout, Done done)
    : socket_(socket), fd_(fd), size_(size), stall_timeout_(stall_timeout), stall_timer_(socket.get_executor()),
      done_(std::move(done)) {}

FileSender::~FileSender() { ::close(fd_); }

void FileSender::send_some() {
  boost::system::error_code ec;
  socket_.native_non_blocking(true, ec);
  if (ec) return finish(ec);
  while (offset_ < size_) {
    auto offset = static_cast<off_t>(offset_);
    const ssize_t sent = ::sendfile(socket_.native_handle(), fd_, &offset, std::min(kChunk, size_ - offset_));
    if (sent > 0) {
      offset_ += static_cast<std::uint64_t>(sent);
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // The socket buffer is full: wait until the client takes more, within the deadline.
      stall_timer_.expires_after(stall_timeout_);
      stall_timer_.async_wait([self = shared_from_this()](boost::system::error_code timer_ec) {
        if (!timer_ec) {
          boost::system::error_code ignored;
          self->socket_.cancel(ignored);  // ends the wait below with operation_aborted
        }
      });
      socket_.async_wait(net::socket_base::wait_write, [self = shared_from_this()](boost::system::error_code wait_ec) {
        const bool stalled = self->stall_timer_.cancel() == 0;  // 0: the timer had already fired
        if (wait_ec || stalled) return self->finish(stalled ? net::error::timed_out : wait_ec);
        self->send_some();
      });
      return;
    }
    // An error, or the file ended early (it shrank): the promised length cannot be met.
    return finish(sent < 0 ? boost::system::error_code(errno, boost::system::system_category())
                           : net::error::make_error_code(net::error::eof));
  }
  finish({});
}

void FileSender::finish(boost::system::error_code ec) {
  if (auto done = std::move(done_)) done(ec);
}

}  // namespace genq::http
