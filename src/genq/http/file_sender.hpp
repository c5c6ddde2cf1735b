#pragma once
// Sends a file's bytes to a socket with sendfile(2), for downloads of results that may
// be hundreds of MB: the kernel copies from the page cache to the socket, with no
// user-space buffer (Beast's file_body reads and writes 4 KiB at a time, a syscall pair
// per 4 KiB). One per download; runs on the socket's executor (the session's strand)
// and keeps itself alive through its waits. A client that takes nothing for
// `stall_timeout` ends the transfer with a timeout, as a stalled read would.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace genq::http {

class FileSender : public std::enable_shared_from_this<FileSender> {
 public:
  using Done = std::function<void(boost::system::error_code)>;

  // Takes ownership of `fd` (open for reading, `size` bytes from offset 0). `socket`
  // must outlive the transfer: `done`, called exactly once, is where its owner learns
  // the end, so it should hold the owner.
  static void start(boost::asio::ip::tcp::socket& socket, int fd, std::uint64_t size,
                    std::chrono::milliseconds stall_timeout, Done done);
  ~FileSender();

  FileSender(boost::asio::ip::tcp::socket& socket, int fd, std::uint64_t size, std::chrono::milliseconds stall_timeout,
             Done done);

 private:
  void send_some();
  void finish(boost::system::error_code ec);

  boost::asio::ip::tcp::socket& socket_;
  int fd_;
  std::uint64_t size_;
  std::uint64_t offset_ = 0;
  std::chrono::milliseconds stall_timeout_;
  boost::asio::steady_timer stall_timer_;
  Done done_;
};

}  // namespace genq::http
