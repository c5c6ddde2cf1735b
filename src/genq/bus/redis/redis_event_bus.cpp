#include "genq/bus/redis/redis_event_bus.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "genq/bus/redis/change_message.hpp"
#include "genq/bus/redis/node_id.hpp"
#include "genq/bus/redis/redis_connection.hpp"
#include "genq/bus/redis/redis_reply.hpp"

namespace genq::bus {

RedisEventBus::RedisEventBus(RedisBusOptions options, JobLoader loader)
    : options_(std::move(options)), loader_(std::move(loader)), channel_(options_.endpoint.channel()) {
  if (options_.node_id.empty()) options_.node_id = random_node_id();
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

RedisEventBus::~RedisEventBus() {
  stop();
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void RedisEventBus::start() {
  publisher_ = std::thread([this] { publisher_loop(); });
  subscriber_ = std::thread([this] { subscriber_loop(); });
  loader_thread_ = std::thread([this] { loader_loop(); });
}

void RedisEventBus::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  loads_ready_.notify_all();
  const std::uint64_t one = 1;
  if (stop_fd_ >= 0 && ::write(stop_fd_, &one, sizeof(one)) < 0) spdlog::debug("redis bus: cannot wake subscriber");
  for (std::thread* t : {&publisher_, &subscriber_, &loader_thread_}) {
    if (t->joinable()) t->join();
  }
  publisher_up_ = subscriber_up_ = false;
}

void RedisEventBus::publish(const Job& job) {
  fanout_.deliver_local(job);
  std::string message = encode_change(job, options_.node_id);
  {
    std::lock_guard lock(mutex_);
    if (outbox_.size() >= options_.max_queued) {
      outbox_.pop_front();
      ++dropped_;
    }
    outbox_.push_back(std::move(message));
  }
  wake_.notify_all();  // the subscriber may be in pause() on it too
}

BusHealth RedisEventBus::health() const {
  const std::string where = options_.endpoint.describe();
  if (!subscriber_up_) return {false, "not subscribed to " + where};
  if (!publisher_up_) return {false, "cannot publish to " + where};
  return {true, "connected to " + where};
}

RedisBusCounters RedisEventBus::counters() const {
  return {published_.load(), dropped_.load(), received_.load(), loaded_.load()};
}

bool RedisEventBus::pause(Millis delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void RedisEventBus::publisher_loop() {
  OutageLog outage("redis event bus: publishing to " + options_.endpoint.describe(), options_.log_interval);
  Backoff backoff(options_.max_backoff);
  std::vector<std::string> batch;
  while (true) {
    auto connection = RedisConnection::open(options_.endpoint, options_.connect_timeout);
    if (!connection) {
      outage.failed(connection.error().message);
      if (!pause(backoff.next())) return;
      continue;
    }
    outage.recovered();
    backoff.reset();
    publisher_up_ = true;
    std::string lost;  // why the connection failed; empty while it works
    while (lost.empty()) {
      batch.clear();
      {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, options_.ping_interval, [this] { return stopping_ || !outbox_.empty(); });
        if (stopping_) return;
        while (!outbox_.empty()) {
          batch.push_back(std::move(outbox_.front()));
          outbox_.pop_front();
        }
      }
      redisContext* c = connection->get();
      if (batch.empty()) {  // idle: prove the connection is still there
        RedisReply pong(static_cast<redisReply*>(redisCommand(c, "PING")));
        if (!pong) lost = connection->error_text();
        continue;
      }
      // Pipelined: every PUBLISH written, then the replies read.
      for (const std::string& message : batch) {
        const char* argv[] = {"PUBLISH", channel_.c_str(), message.c_str()};
        const size_t lengths[] = {7, channel_.size(), message.size()};
        redisAppendCommandArgv(c, 3, argv, lengths);
      }
      std::size_t answered = 0;
      for (; answered < batch.size(); ++answered) {
        void* raw = nullptr;
        if (redisGetReply(c, &raw) != REDIS_OK) {
          lost = connection->error_text();
          break;
        }
        RedisReply reply(static_cast<redisReply*>(raw));
        if (reply->type == REDIS_REPLY_ERROR) {
          spdlog::warn("redis event bus: PUBLISH refused: {}", std::string_view(reply->str, reply->len));
        }
      }
      published_ += answered;
      dropped_ += batch.size() - answered;  // pub/sub is lossy anyway: no resend
    }
    publisher_up_ = false;
    outage.failed("connection lost: " + lost);
    if (!pause(backoff.next())) return;
  }
}

void RedisEventBus::subscriber_loop() {
  OutageLog outage("redis event bus: subscribing to " + options_.endpoint.describe(), options_.log_interval);
  Backoff backoff(options_.max_backoff);
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    auto connection = RedisConnection::open(options_.endpoint, options_.connect_timeout);
    std::string why;
    if (connection) {
      const char* argv[] = {"SUBSCRIBE", channel_.c_str()};
      const size_t lengths[] = {9, channel_.size()};
      RedisReply reply(static_cast<redisReply*>(redisCommandArgv(connection->get(), 2, argv, lengths)));
      if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
          reply_is_text(reply->element[0], "subscribe")) {
        outage.recovered();
        backoff.reset();
        subscriber_up_ = true;
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
    if (!pause(backoff.next())) return;
  }
}

std::string RedisEventBus::listen(RedisConnection& connection) {
  redisContext* c = connection.get();
  bool awaiting_pong = false;
  while (true) {
    // Everything already read first: a batch of messages arrives in one read.
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
    pollfd fds[2] = {{connection.fd(), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, static_cast<int>(options_.ping_interval.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return std::string("poll: ") + std::strerror(errno);
    }
    if (fds[1].revents != 0) return "stopped";
    if (ready == 0) {
      // Idle for an interval: a PING unanswered since the last one means the
      // connection is dead even though the socket did not say so.
      if (awaiting_pong) return "no answer to PING within " + std::to_string(options_.ping_interval.count()) + " ms";
      redisAppendCommand(c, "PING");
      int done = 0;
      while (!done) {
        if (redisBufferWrite(c, &done) != REDIS_OK) return connection.error_text();
      }
      awaiting_pong = true;
      continue;
    }
    if (redisBufferRead(c) != REDIS_OK) return connection.error_text();
  }
}

void RedisEventBus::on_message(std::string_view text) {
  auto change = decode_change(text);
  if (!change) {
    spdlog::debug("redis event bus: ignored a message that is not a job change");
    return;
  }
  if (change->origin == options_.node_id) return;  // delivered locally at publish
  ++received_;
  if (!fanout_.deliver_remote(change->summary())) return;
  {
    std::lock_guard lock(mutex_);
    if (!loading_.insert(change->id).second) return;  // a read of this job is queued: it will see this change
    loads_.push_back(std::move(change->id));
  }
  loads_ready_.notify_one();
}

void RedisEventBus::loader_loop() {
  while (true) {
    std::string job_id;
    {
      std::unique_lock lock(mutex_);
      loads_ready_.wait(lock, [this] { return stopping_ || !loads_.empty(); });
      if (stopping_) return;
      job_id = std::move(loads_.front());
      loads_.pop_front();
      loading_.erase(job_id);
    }
    auto job = loader_(job_id);
    if (!job) {
      spdlog::debug("redis event bus: cannot read job {}: {}", job_id, job.error().message);
      continue;
    }
    ++loaded_;
    fanout_.deliver_loaded(*job);
  }
}

}  // namespace genq::bus
