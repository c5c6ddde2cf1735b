#pragma once
// One Pusher WebSocket connection (Beast advanced_server websocket_session pattern):
// owns its WebSocketConnection (genq's own RFC 6455 framing over TCP or TLS), its
// activity deadline (checked by the server-wide sweep, LiveSessions) and its outbound
// queue, and runs on the strand of the HTTP connection it was upgraded from. It reads as do_read -> on_readable -> on_frame -> handle, and
// writes whatever its queue holds in gather writes (the one writer of the socket).
// Kept alive by its pending operations and by the channel registry while subscribed.
// Thread safety: deliver() and close_with() may be called from any thread; they touch
// only the queue under mutex_ and post to the strand. Everything else runs on the strand.
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "genq/http/transport.hpp"
#include "genq/ws/channel_registry.hpp"
#include "genq/ws/frames.hpp"
#include "genq/ws/live_sessions.hpp"
#include "genq/ws/outbound_queue.hpp"
#include "genq/ws/websocket_connection.hpp"

namespace genq::ws {

class PusherServer;

class PusherSession final : public Subscriber, public std::enable_shared_from_this<PusherSession> {
 public:
  PusherSession(http::Transport&& stream, PusherServer& server, std::string socket_id,
                std::shared_ptr<void> connection_slot = nullptr);
  ~PusherSession() override;

  // Answers the already-read upgrade request (101, or a refusal and a close).
  void start(const boost::beast::http::request<boost::beast::http::empty_body>& request);

  const std::string& socket_id() const override { return socket_id_; }
  void deliver(const FramePtr& frame) override;
  // Closes with a Pusher close code once the frame being written is out; queued frames
  // are discarded unless `drain` (an error frame that must reach the client first).
  void close_with(int code, std::string reason, bool drain = false);

  // For LiveSessions: this session's deadline and list links, and the check it posts
  // to the strand once the deadline has passed.
  SweepEntry& sweep_entry() { return sweep_entry_; }
  void post_due_check();

 private:
  using Clock = std::chrono::steady_clock;
  struct CloseRequest {
    int code;  // 0: a close frame without a status (the echo of one that had none)
    std::string reason;
    bool drain;
  };

  // `response` is the handshake reply being written, kept alive until it is out.
  void on_handshake(bool accepted, std::shared_ptr<const std::string> response, std::string target,
                    boost::beast::error_code ec, std::size_t bytes);
  struct Refusal {
    int code;
    std::string message;
  };
  // Why the key or protocol version in the upgrade target is not acceptable, if it isn't.
  std::optional<Refusal> check_target(const std::string& target) const;
  void do_read();
  void on_readable(boost::beast::error_code ec);
  // One decoded message or control frame; returns false when reading must stop.
  bool on_frame(const FrameEvent& event);
  void handle(std::string_view text);
  void handle_subscribe(const Inbound& message);
  void handle_unsubscribe(const Inbound& message);
  void handle_client_event(const Inbound& message);
  void leave(const std::string& channel);
  void send(std::string text) { deliver(make_frame(std::move(text))); }
  bool subscribed(std::string_view channel) const;
  // Requires: mutex_ held. Records the close and refuses further frames; returns
  // whether the caller must post write_next (no write was in flight).
  bool request_close_locked(int code, std::string reason, bool drain);
  void schedule_close(bool post_write);

  void write_next();
  void on_write(bool close_written, boost::beast::error_code ec, std::size_t bytes);
  // Asks the sweep for a check `after` from now (replacing the previous deadline).
  void check_after(Clock::duration after) { sweep_entry_.due_at(Clock::now() + after); }
  void on_due();
  void finish();

  WebSocketConnection connection_;
  PusherServer& server_;
  const std::string socket_id_;
  SweepEntry sweep_entry_;

  // Strand only.
  Clock::time_point last_received_;
  bool awaiting_pong_ = false;
  bool established_ = false;
  bool closing_ = false;         // a close is under way; the grace deadline bounds it
  bool close_sent_ = false;      // our close frame is out
  bool close_received_ = false;  // the client's close frame came, or its input was invalid: read no more
  bool finished_ = false;
  std::vector<std::string> subscriptions_;  // channel names; presence user ids are in the registry
  Clock::time_point event_window_;  // client-event rate limit: start of the current second
  int events_in_window_ = 0;

  std::mutex mutex_;
  OutboundQueue queue_;                      // GUARDED_BY(mutex_)
  bool writing_ = false;                     // GUARDED_BY(mutex_): a write is in flight or posted
  bool refusing_ = false;                    // GUARDED_BY(mutex_): no more frames accepted
  // GUARDED_BY(mutex_). A pointer: most connections never close themselves (48 bytes saved).
  std::unique_ptr<const CloseRequest> close_request_;
  bool close_queued_ = false;                  // GUARDED_BY(mutex_): the close frame went into a batch
  std::shared_ptr<void> connection_slot_;      // its place under the server's connection caps
};

}  // namespace genq::ws
