#pragma once
// A hiredis reply, owned: freed on destruction. Shared by the bus threads that read
// replies (the event bus, the node link, the rate windows).
#include <hiredis/hiredis.h>

#include <memory>
#include <string_view>

namespace genq::bus {

struct RedisReplyFree {
  void operator()(void* reply) const { freeReplyObject(reply); }
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyFree>;

// True when `reply` is a string or status reading exactly `text` ("subscribe", "pong").
bool reply_is_text(const redisReply* reply, std::string_view text);

}  // namespace genq::bus
