#include "genq/bus/redis/redis_node_link.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "genq/bus/redis/node_id.hpp"
#include "genq/bus/redis/redis_connection.hpp"
#include "genq/bus/redis/redis_reply.hpp"

namespace genq::bus {
namespace {

using SteadyClock = std::chrono::steady_clock;

// "<node> <kind> <seq> <body>" split; false when malformed.
struct Envelope {
  std::string_view origin;
  char kind = 0;
  std::uint64_t seq = 0;
  std::string_view body;
};
bool parse_envelope(std::string_view text, Envelope& out) {
  auto space = text.find(' ');
  if (space == std::string_view::npos || space == 0) return false;
  out.origin = text.substr(0, space);
  text.remove_prefix(space + 1);
  if (text.size() < 2 || text[1] != ' ') return false;
  out.kind = text[0];
  text.remove_prefix(2);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out.seq);
  if (ec != std::errc()) return false;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  if (!text.empty()) {
    if (text[0] != ' ') return false;
    text.remove_prefix(1);
  }
  out.body = text;
  return true;
}

}  // namespace

RedisNodeLink::RedisNodeLink(RedisNodeLinkOptions options, NodeLinkHandlers handlers)
    : options_(std::move(options)), handlers_(std::move(handlers)) {
  if (options_.node_id.empty()) options_.node_id = random_node_id();
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

RedisNodeLink::~RedisNodeLink() {
  stop();
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void RedisNodeLink::start() {
  publisher_ = std::thread([this] { publisher_loop(); });
  subscriber_ = std::thread([this] { subscriber_loop(); });
}

void RedisNodeLink::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  const std::uint64_t one = 1;
  if (stop_fd_ >= 0 && ::write(stop_fd_, &one, sizeof(one)) < 0) spdlog::debug("node link: cannot wake subscriber");
  for (std::thread* t : {&publisher_, &subscriber_}) {
    if (t->joinable()) t->join();
  }
  publisher_up_ = subscriber_up_ = false;
}

std::string RedisNodeLink::envelope(char kind, std::uint64_t seq, std::string_view body) const {
  std::string out;
  out.reserve(options_.node_id.size() + body.size() + 24);
  out.append(options_.node_id).append(1, ' ').append(1, kind).append(1, ' ').append(std::to_string(seq));
  if (!body.empty()) out.append(1, ' ').append(body);
  return out;
}

void RedisNodeLink::queue(std::string message) {
  {
    std::lock_guard lock(mutex_);
    if (outbox_.size() >= options_.max_queued) outbox_.pop_front();
    outbox_.push_back(std::move(message));
  }
  wake_.notify_all();
}

void RedisNodeLink::send(std::string body) { queue(envelope('u', 0, body)); }

void RedisNodeLink::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_all();
}

bool RedisNodeLink::pause(Millis delay, bool expiring) {
  const auto until = SteadyClock::now() + delay;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto now = SteadyClock::now();
    if (now >= until) return true;
    auto slice = std::min<SteadyClock::duration>(until - now, std::chrono::milliseconds(250));
    wake_.wait_for(lock, slice);
    if (expiring && !stopping_) {
      lock.unlock();
      expire_silent();
      lock.lock();
    }
  }
  return false;
}

void RedisNodeLink::publisher_loop() {
  OutageLog outage("pusher cluster: publishing to " + options_.endpoint.describe(), options_.log_interval);
  Backoff backoff(options_.max_backoff);
  bool ever_connected = false;
  std::vector<std::string> batch;
  while (true) {
    auto connection = RedisConnection::open(options_.endpoint, options_.connect_timeout);
    if (!connection) {
      outage.failed(connection.error().message);
      if (!pause(backoff.next(), false)) return;
      continue;
    }
    outage.recovered();
    backoff.reset();
    publisher_up_ = true;
    // State sent before the outage may be lost: offer the whole of it again.
    if (ever_connected && handlers_.resync_wanted) handlers_.resync_wanted();
    ever_connected = true;
    auto next_heartbeat = SteadyClock::now();
    std::string lost;
    while (lost.empty()) {
      batch.clear();
      bool stopping = false;
      {
        std::unique_lock lock(mutex_);
        wake_.wait_until(lock, next_heartbeat, [this] { return stopping_ || poked_ || !outbox_.empty(); });
        stopping = stopping_;
        poked_ = false;
        while (!outbox_.empty()) {
          batch.push_back(std::move(outbox_.front()));
          outbox_.pop_front();
        }
      }
      if (stopping) {
        batch.assign(1, envelope('b', seq_, {}));
      } else {
        if (handlers_.collect) {
          for (NodeState& state : handlers_.collect()) {
            batch.push_back(envelope(state.reset ? 'S' : 's', ++seq_, state.body));
          }
        }
        if (SteadyClock::now() >= next_heartbeat) {
          batch.push_back(envelope('h', seq_, {}));
          next_heartbeat = SteadyClock::now() + options_.heartbeat;
        }
      }
      redisContext* c = connection->get();
      for (const std::string& message : batch) {
        const char* argv[] = {"PUBLISH", options_.channel.c_str(), message.c_str()};
        const size_t lengths[] = {7, options_.channel.size(), message.size()};
        redisAppendCommandArgv(c, 3, argv, lengths);
      }
      for (std::size_t i = 0; i < batch.size(); ++i) {
        void* raw = nullptr;
        if (redisGetReply(c, &raw) != REDIS_OK) {
          lost = connection->error_text();
          break;
        }
        RedisReply reply(static_cast<redisReply*>(raw));
        if (reply->type == REDIS_REPLY_ERROR) {
          spdlog::warn("pusher cluster: PUBLISH refused: {}", std::string_view(reply->str, reply->len));
        }
      }
      if (stopping) return;
    }
    publisher_up_ = false;
    outage.failed("connection lost: " + lost);
    if (!pause(backoff.next(), false)) return;
  }
}

void RedisNodeLink::subscriber_loop() {
  OutageLog outage("pusher cluster: subscribing to " + options_.endpoint.describe(), options_.log_interval);
  Backoff backoff(options_.max_backoff);
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    auto connection = RedisConnection::open(options_.endpoint, options_.connect_timeout);
    std::string why;
    if (connection) {
      const char* argv[] = {"SUBSCRIBE", options_.channel.c_str()};
      const size_t lengths[] = {9, options_.channel.size()};
      RedisReply reply(static_cast<redisReply*>(redisCommandArgv(connection->get(), 2, argv, lengths)));
      if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
          reply_is_text(reply->element[0], "subscribe")) {
        outage.recovered();
        backoff.reset();
        subscriber_up_ = true;
        // Whatever was said while this node was not listening is gone: ask everyone.
        queue(envelope('r', 0, "*"));
        const std::string ended = listen(*connection);
        subscriber_up_ = false;
        {
          std::lock_guard lock(mutex_);
          if (stopping_) return;
        }
        why = "connection lost: " + ended;
      } else {
        why = "SUBSCRIBE failed: " + (reply && reply->type == REDIS_REPLY_ERROR ? std::string(reply->str, reply->len)
                                                                                : connection->error_text());
      }
    } else {
      why = connection.error().message;
    }
    outage.failed(why);
    if (!pause(backoff.next(), true)) return;
  }
}

std::string RedisNodeLink::listen(RedisConnection& connection) {
  redisContext* c = connection.get();
  bool awaiting_pong = false;
  auto last_read = SteadyClock::now();
  const auto ping_interval = std::max<Millis>(options_.heartbeat, Millis(500));
  while (true) {
    void* raw = nullptr;
    while (redisGetReplyFromReader(c, &raw) == REDIS_OK && raw) {
      RedisReply reply(static_cast<redisReply*>(raw));
      raw = nullptr;
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1) continue;
      if (reply_is_text(reply->element[0], "message") && reply->elements == 3 &&
          reply->element[2]->type == REDIS_REPLY_STRING) {
        on_message(std::string_view(reply->element[2]->str, reply->element[2]->len));
      } else if (reply_is_text(reply->element[0], "pong")) {
        awaiting_pong = false;
      }
    }
    if (c->err) return connection.error_text();
    expire_silent();
    pollfd fds[2] = {{connection.fd(), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, 250);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return std::string("poll: ") + std::strerror(errno);
    }
    if (fds[1].revents != 0) return "stopped";
    if (ready == 0) {
      // Our own heartbeats come back through the channel, so silence for a ping
      // interval means the connection is in doubt; an unanswered PING means dead.
      if (SteadyClock::now() - last_read < ping_interval) continue;
      if (awaiting_pong) return "no answer to PING";
      redisAppendCommand(c, "PING");
      int done = 0;
      while (!done) {
        if (redisBufferWrite(c, &done) != REDIS_OK) return connection.error_text();
      }
      awaiting_pong = true;
      last_read = SteadyClock::now();
      continue;
    }
    if (redisBufferRead(c) != REDIS_OK) return connection.error_text();
    last_read = SteadyClock::now();
  }
}

void RedisNodeLink::ask_resync(const std::string& origin, Peer& peer) {
  const auto now = SteadyClock::now();
  if (peer.asked != SteadyClock::time_point{} && now - peer.asked < options_.heartbeat) return;
  peer.asked = now;
  queue(envelope('r', 0, origin));
}

void RedisNodeLink::on_message(std::string_view text) {
  Envelope e;
  if (!parse_envelope(text, e)) {
    spdlog::debug("pusher cluster: ignored a malformed message");
    return;
  }
  if (e.origin == options_.node_id) {
    return;
  }
  std::string origin(e.origin);
  if (e.kind == 'b') {
    if (peers_by_id_.erase(origin) > 0) {
      peers_ = peers_by_id_.size();
      if (handlers_.node_lost) handlers_.node_lost(origin);
    }
    return;
  }
  auto [it, is_new] = peers_by_id_.try_emplace(origin);
  if (is_new) peers_ = peers_by_id_.size();
  Peer& peer = it->second;
  peer.heard = SteadyClock::now();
  switch (e.kind) {
    case 'h':
      if (peer.last_seq != e.seq) ask_resync(origin, peer);
      return;
    case 'S':
      peer.last_seq = e.seq;
      if (handlers_.message) handlers_.message(origin, NodeLinkHandlers::Kind::Reset, e.body);
      return;
    case 's':
      if (peer.last_seq && *peer.last_seq + 1 == e.seq) {
        peer.last_seq = e.seq;
      } else {
        peer.last_seq.reset();  // stays unknown until the node's next reset
        ask_resync(origin, peer);
      }
      // State messages carry whole states: applying one after a gap is still right.
      if (handlers_.message) handlers_.message(origin, NodeLinkHandlers::Kind::State, e.body);
      return;
    case 'u':
      if (handlers_.message) handlers_.message(origin, NodeLinkHandlers::Kind::Other, e.body);
      return;
    case 'r':
      if ((e.body == "*" || e.body == options_.node_id) && handlers_.resync_wanted) {
        handlers_.resync_wanted();
        poke();
      }
      return;
    default:
      spdlog::debug("pusher cluster: ignored a message of unknown kind '{}'", e.kind);
  }
}

void RedisNodeLink::expire_silent() {
  const auto now = SteadyClock::now();
  for (auto it = peers_by_id_.begin(); it != peers_by_id_.end();) {
    if (now - it->second.heard < options_.node_timeout) {
      ++it;
      continue;
    }
    std::string origin = it->first;
    it = peers_by_id_.erase(it);
    peers_ = peers_by_id_.size();
    spdlog::info("pusher cluster: node {} not heard for {} ms, dropping its connections", origin,
                 options_.node_timeout.count());
    if (handlers_.node_lost) handlers_.node_lost(origin);
  }
}

}  // namespace genq::bus
