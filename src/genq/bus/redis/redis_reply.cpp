#include "genq/bus/redis/redis_reply.hpp"

namespace genq::bus {

bool reply_is_text(const redisReply* reply, std::string_view text) {
  return reply && (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS) &&
         std::string_view(reply->str, reply->len) == text;
}

}  // namespace genq::bus
