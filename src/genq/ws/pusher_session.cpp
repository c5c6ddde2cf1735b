#include "genq/ws/pusher_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "genq/ws/channel_name.hpp"
#include "genq/ws/pusher_server.hpp"
#include "genq/ws/websocket_handshake.hpp"

namespace genq::ws {
namespace beast = boost::beast;
namespace net = boost::asio;

namespace {

// How long a connection being closed may take to flush the frames in flight and
// exchange close frames before its socket is simply shut.
constexpr auto kCloseGrace = std::chrono::seconds(5);
// Pusher's documented client-event rate limit: 10 per second per connection.
constexpr int kClientEventsPerSecond = 10;
// Bounds one connection's bookkeeping; Pusher documents no limit, browsers use a handful.
constexpr std::size_t kMaxSubscriptions = 1000;

bool expected_close(beast::error_code ec) {
  return ec == net::error::operation_aborted || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe || ec == beast::error::timeout;
}

}  // namespace

PusherSession::PusherSession(http::Transport&& stream, PusherServer& server, std::string socket_id,
                             std::shared_ptr<void> connection_slot)
    : connection_(std::move(stream), server.options().max_message_bytes), server_(server),
      socket_id_(std::move(socket_id)), queue_(server.options().max_buffer_bytes),
      connection_slot_(std::move(connection_slot)) {
  server_.live_sessions().add(*this);
}

// Also for a session that never finished (its io_context went away with it).
PusherSession::~PusherSession() { server_.live_sessions().remove(*this); }

void PusherSession::start(const beast::http::request<beast::http::empty_body>& request) {
  HandshakeReply reply = answer_upgrade(request);
  auto response = std::make_shared<const std::string>(std::move(reply.response));
  if (!reply.accepted) {
    // Nothing but the refusal goes out; the socket is shut once it is written.
    {
      std::lock_guard lock(mutex_);
      refusing_ = true;
      writing_ = true;
    }
    closing_ = true;
    close_received_ = true;
    check_after(kCloseGrace);
  } else {
    std::lock_guard lock(mutex_);
    writing_ = true;  // frames queue behind the 101 until it is out
  }
  connection_.async_write(net::buffer(*response),
                          beast::bind_front_handler(&PusherSession::on_handshake, shared_from_this(), reply.accepted,
                                                    response, std::string(request.target())));
}

std::optional<PusherSession::Refusal> PusherSession::check_target(const std::string& target) const {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return Refusal{code::kPathNotFound, "Malformed request target."};
  std::string path(url->path());
  constexpr std::string_view kPrefix = "/app/";
  if (!path.starts_with(kPrefix) || path.size() == kPrefix.size() ||
      path.find('/', kPrefix.size()) != std::string::npos) {
    return Refusal{code::kPathNotFound, "Path not found."};
  }
  std::string key = path.substr(kPrefix.size());
  if (key != server_.options().key) {
    return Refusal{code::kAppNotFound, "App key " + key.substr(0, 64) + " does not exist."};
  }
  std::optional<std::string> protocol;
  for (auto param : url->params()) {
    if (param.key == "protocol") protocol = std::string(param.value);
  }
  if (!protocol) return Refusal{code::kNoProtocol, "No protocol version supplied."};
  int version = 0;
  auto [end, ec] = std::from_chars(protocol->data(), protocol->data() + protocol->size(), version);
  // Protocols 5 to 7 differ only in details genq does not use; pysher sends 6.
  if (ec != std::errc() || end != protocol->data() + protocol->size() || version < 5 || version > 7) {
    return Refusal{code::kUnsupportedProtocol, "Unsupported protocol version " + protocol->substr(0, 16) + "."};
  }
  return std::nullopt;
}

void PusherSession::on_handshake(bool accepted, std::shared_ptr<const std::string>, std::string target,
                                 beast::error_code ec, std::size_t) {
  if (ec || !accepted) {
    if (ec && !expected_close(ec)) spdlog::debug("websocket handshake failed: {}", ec.message());
    connection_.close();
    return finish();
  }
  last_received_ = Clock::now();
  if (auto refusal = check_target(target)) {
    send(error_frame(refusal->code, refusal->message));
    close_with(refusal->code, refusal->message, /*drain=*/true);
  } else {
    established_ = true;
    server_.live_sessions().mark_established(*this);
    send(connection_established_frame(socket_id_, server_.options().activity_timeout));
    check_after(server_.options().activity_timeout);
  }
  write_next();  // writing_ has been held since start()
  do_read();
}

void PusherSession::do_read() {
  if (finished_ || close_received_) return;
  connection_.async_wait_readable(beast::bind_front_handler(&PusherSession::on_readable, shared_from_this()));
}

void PusherSession::on_readable(beast::error_code ec) {
  if (ec) {
    if (!expected_close(ec)) spdlog::debug("socket {}: wait failed: {}", socket_id_, ec.message());
    connection_.close();
    return finish();
  }
  if (finished_) return;
  ec = connection_.read_available([this](const FrameEvent& event) { return on_frame(event); });
  if (ec) {
    if (!expected_close(ec)) spdlog::debug("socket {}: read failed: {}", socket_id_, ec.message());
    connection_.close();
    return finish();
  }
  do_read();
}

bool PusherSession::on_frame(const FrameEvent& event) {
  if (finished_) return false;
  last_received_ = Clock::now();
  awaiting_pong_ = false;  // any frame, WebSocket pings and pongs included, counts as activity
  switch (event.kind) {
    case FrameEvent::Kind::Text:
      if (established_ && !closing_) handle(event.payload);
      return true;
    case FrameEvent::Kind::Binary:
      if (established_ && !closing_) send(error_frame(std::nullopt, "Binary messages are not supported."));
      return true;
    case FrameEvent::Kind::Ping:
      deliver(make_control_frame(Opcode::Pong, std::string(event.payload)));
      return true;
    case FrameEvent::Kind::Pong:
    case FrameEvent::Kind::NeedMore:
      return true;
    case FrameEvent::Kind::Close:
      close_received_ = true;
      if (close_sent_) {
        connection_.close();
        finish();
        return false;
      }
      // Answer with the client's status, as RFC 6455 §5.5.1 suggests, after the answers
      // to what the client sent before its close (a pong, an error; Autobahn 7.1.1);
      // the socket is shut once the close is out.
      close_with(event.close_code, "", /*drain=*/true);
      return false;
    case FrameEvent::Kind::ProtocolError:
      if (event.close_code == close_status::kMessageTooBig) {
        spdlog::debug("socket {}: message over {} bytes, closed", socket_id_, server_.options().max_message_bytes);
      } else {
        spdlog::debug("socket {}: {}, closed", socket_id_, event.payload);
      }
      close_received_ = true;  // nothing more is read from a client that broke the protocol
      // What the frames before the bad one earned still goes out first (Autobahn 3.2, 4.1.6).
      close_with(event.close_code, std::string(event.payload), /*drain=*/true);
      return false;
  }
  return false;
}

void PusherSession::handle(std::string_view text) {
  server_.counters().messages_in.fetch_add(1, std::memory_order_relaxed);
  auto message = parse_inbound(text);
  if (!message) return send(error_frame(std::nullopt, message.error().message));
  const std::string& event = message->event;
  if (event == "pusher:ping") return send(pong_frame());
  if (event == "pusher:pong") return;  // activity already noted
  if (event == "pusher:subscribe") return handle_subscribe(*message);
  if (event == "pusher:unsubscribe") return handle_unsubscribe(*message);
  if (is_client_event(event)) return handle_client_event(*message);
  send(error_frame(std::nullopt, "Unsupported event '" + event.substr(0, 64) + "'."));
}

bool PusherSession::subscribed(std::string_view channel) const {
  return std::find(subscriptions_.begin(), subscriptions_.end(), channel) != subscriptions_.end();
}

void PusherSession::handle_subscribe(const Inbound& message) {
  auto request = parse_subscribe(message.data);
  if (!request) return send(error_frame(std::nullopt, request.error().message));
  const PusherOptions& options = server_.options();
  const std::string& channel = request->channel;
  if (!valid_channel_name(channel, options.max_channel_name)) {
    return send(subscription_error_frame(
        channel.substr(0, options.max_channel_name), "InvalidChannel",
        "Channel names may only contain letters, digits and _-=@,.; and be at most " +
            std::to_string(options.max_channel_name) + " characters long.",
        400));
  }
  const ChannelKind kind = channel_kind(channel);
  std::optional<PresenceMember> member;
  if (kind != ChannelKind::Public) {
    const std::string_view channel_data = kind == ChannelKind::Presence ? request->channel_data : std::string_view{};
    if (!verify_channel(request->auth, options.key, options.secret, socket_id_, channel, channel_data)) {
      return send(subscription_error_frame(channel, "AuthError",
                                           "Invalid signature for channel '" + channel + "' and this socket_id.", 401));
    }
    if (kind == ChannelKind::Presence) {
      auto parsed = parse_channel_data(request->channel_data, {options.max_user_id, options.max_user_info_bytes});
      if (!parsed) return send(subscription_error_frame(channel, "AuthError", parsed.error().message, 401));
      member = std::move(*parsed);
    }
  }
  if (!subscribed(channel) && subscriptions_.size() >= kMaxSubscriptions) {
    return send(subscription_error_frame(channel, "LimitReached",
                                         "A connection may subscribe to at most " +
                                             std::to_string(kMaxSubscriptions) + " channels.",
                                         403));
  }
  auto outcome = server_.registry().subscribe(channel, shared_from_this(), member, options.max_presence_members);
  if (outcome.joined == ChannelRegistry::Joined::MemberLimitReached) {
    return send(subscription_error_frame(channel, "LimitReached",
                                         "The presence channel already has " +
                                             std::to_string(options.max_presence_members) + " members.",
                                         403));
  }
  if (outcome.joined == ChannelRegistry::Joined::Subscribed) {
    subscriptions_.push_back(channel);
    server_.cluster().channel_changed(channel);
  }
  send(subscription_succeeded_frame(channel, kind == ChannelKind::Presence ? outcome.presence_data : "{}"));
  if (outcome.joined == ChannelRegistry::Joined::Subscribed) server_.subscribed(channel, shared_from_this());
  if (outcome.member_added) {
    server_.broadcast(channel, make_frame(member_added_frame(channel, member->user_id, member->user_info)),
                      socket_id_);
  }
}

void PusherSession::handle_unsubscribe(const Inbound& message) {
  auto channel = parse_unsubscribe(message.data);
  if (!channel) return send(error_frame(std::nullopt, channel.error().message));
  leave(*channel);
}

void PusherSession::leave(const std::string& channel) {
  auto it = std::find(subscriptions_.begin(), subscriptions_.end(), channel);
  if (it == subscriptions_.end()) return;
  subscriptions_.erase(it);
  auto outcome = server_.registry().unsubscribe(channel, *this);
  if (outcome.was_subscribed) server_.cluster().channel_changed(channel);
  if (outcome.member_removed) {
    server_.broadcast(channel, make_frame(member_removed_frame(channel, *outcome.member_removed)));
  }
}

void PusherSession::handle_client_event(const Inbound& message) {
  const PusherOptions& options = server_.options();
  auto reject = [&](const std::string& why) { send(error_frame(code::kClientEventRejected, why)); };
  if (!options.client_events) return reject("Client events are not enabled for this app.");
  if (!subscribed(message.channel) || channel_kind(message.channel) == ChannelKind::Public) {
    return reject("Client events can only be sent on private and presence channels the connection is subscribed to.");
  }
  if (!valid_event_name(message.event, options.max_event_name)) {
    return reject("Event names may be at most " + std::to_string(options.max_event_name) + " characters long.");
  }
  if (boost::json::serialize(message.data).size() > options.max_event_bytes) {
    return reject("The event data may be at most " + std::to_string(options.max_event_bytes) + " bytes.");
  }
  auto now = Clock::now();
  if (now - event_window_ >= std::chrono::seconds(1)) {
    event_window_ = now;
    events_in_window_ = 0;
  }
  if (++events_in_window_ > kClientEventsPerSecond) {
    return reject("Client event rate limit exceeded (" + std::to_string(kClientEventsPerSecond) + " per second).");
  }
  // Presence: the sender's user id, which the registry keeps (empty on private channels).
  // Other nodes' subscribers too; never back to the sender.
  server_.publish(message.channel,
                  client_event_frame(message.channel, message.event, message.data,
                                     server_.registry().member_id(message.channel, *this)),
                  socket_id_);
}

// ---- the writer: every frame goes through queue_; one gather write at a time ----

void PusherSession::deliver(const FramePtr& frame) {
  bool post_write = false;
  bool closing = false;
  {
    std::lock_guard lock(mutex_);
    if (refusing_) return;
    server_.counters().messages_out.fetch_add(1, std::memory_order_relaxed);
    switch (queue_.push(frame)) {
      case OutboundQueue::Push::Queued:
        post_write = !writing_;
        writing_ = true;
        break;
      case OutboundQueue::Push::Replaced:
        server_.counters().coalesced.fetch_add(1, std::memory_order_relaxed);
        break;
      case OutboundQueue::Push::Overflow:
        server_.counters().overflow_closes.fetch_add(1, std::memory_order_relaxed);
        post_write = request_close_locked(code::kOverCapacity, "Over capacity: the client is not reading fast enough",
                                          /*drain=*/false);
        closing = true;
        break;
    }
  }
  if (closing) return schedule_close(post_write);
  if (post_write) net::post(connection_.get_executor(), [self = shared_from_this()] { self->write_next(); });
}

bool PusherSession::request_close_locked(int code, std::string reason, bool drain) {
  refusing_ = true;
  close_request_ = std::make_unique<const CloseRequest>(CloseRequest{code, std::move(reason), drain});
  if (writing_) return false;
  writing_ = true;
  return true;
}

void PusherSession::close_with(int code, std::string reason, bool drain) {
  bool post_write = false;
  {
    std::lock_guard lock(mutex_);
    if (close_request_) return;
    post_write = request_close_locked(code, std::move(reason), drain);
  }
  schedule_close(post_write);
}

void PusherSession::schedule_close(bool post_write) {
  net::post(connection_.get_executor(), [self = shared_from_this(), post_write] {
    if (!self->closing_ && !self->finished_) {
      self->closing_ = true;
      self->check_after(kCloseGrace);  // a reader that never drains must not hold the socket
    }
    if (post_write) self->write_next();
  });
}

void PusherSession::write_next() {
  if (finished_) return;
  std::vector<FramePtr>& batch = connection_.batch();
  std::optional<CloseRequest> close;
  {
    std::lock_guard lock(mutex_);
    if (close_request_ && !close_request_->drain) queue_.clear();
    while (batch.size() < WebSocketConnection::kMaxBatchFrames) {
      FramePtr next = queue_.pop();
      if (!next) break;
      batch.push_back(std::move(next));
    }
    if (queue_.empty() && close_request_ && !close_queued_ && batch.size() < WebSocketConnection::kMaxBatchFrames) {
      close = *close_request_;
      close_queued_ = true;
    }
    // After the close frame writing_ stays set: nothing is written after it.
    if (batch.empty() && !close && !close_request_) writing_ = false;
  }
  if (close) {
    closing_ = true;
    batch.push_back(make_control_frame(
        Opcode::Close, encode_close_payload(static_cast<std::uint16_t>(close->code), close->reason)));
  }
  if (batch.empty()) return;
  connection_.async_write_batch(
      beast::bind_front_handler(&PusherSession::on_write, shared_from_this(), close.has_value()));
}

void PusherSession::on_write(bool close_written, beast::error_code ec, std::size_t) {
  connection_.release_batch();
  if (ec) {
    if (!expected_close(ec)) spdlog::debug("socket {}: write failed: {}", socket_id_, ec.message());
    connection_.close();
    return finish();
  }
  if (close_written) {
    close_sent_ = true;
    // The client's close (or its broken input) came first: the handshake is complete.
    // Otherwise the read waits for the client's answer, bounded by the grace deadline.
    if (close_received_) {
      connection_.close();
      finish();
    }
    return;
  }
  write_next();
}

// ---- activity: Pusher's ping/pong, and the close grace period ----

void PusherSession::post_due_check() {
  net::post(connection_.get_executor(), [self = shared_from_this()] { self->on_due(); });
}

void PusherSession::on_due() {
  if (finished_ || !sweep_entry_.claimed()) return;  // a newer deadline replaced the one that passed
  if (closing_) {
    connection_.close();
    return finish();
  }
  const auto& options = server_.options();
  if (awaiting_pong_) {
    server_.counters().pong_timeouts.fetch_add(1, std::memory_order_relaxed);
    return close_with(code::kPongNotReceived, "Pong reply not received");
  }
  auto idle = Clock::now() - last_received_;
  if (idle >= options.activity_timeout) {
    send(ping_frame());
    awaiting_pong_ = true;
    return check_after(options.pong_timeout);
  }
  check_after(options.activity_timeout - idle);
}

void PusherSession::finish() {
  if (finished_) return;
  finished_ = true;
  sweep_entry_.never_due();
  {
    std::lock_guard lock(mutex_);
    refusing_ = true;
    queue_.clear();
  }
  auto subscriptions = std::move(subscriptions_);
  subscriptions_.clear();
  for (const auto& channel : subscriptions) {
    auto outcome = server_.registry().unsubscribe(channel, *this);
    if (outcome.was_subscribed) server_.cluster().channel_changed(channel);
    if (outcome.member_removed) {
      server_.broadcast(channel, make_frame(member_removed_frame(channel, *outcome.member_removed)));
    }
  }
  server_.live_sessions().remove(*this);
}

}  // namespace genq::ws
