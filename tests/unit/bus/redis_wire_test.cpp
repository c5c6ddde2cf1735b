#include <gtest/gtest.h>

#include "genq/bus/redis/change_message.hpp"
#include "genq/bus/redis/redis_connection.hpp"
#include "genq/bus/redis/redis_endpoint.hpp"

namespace genq::bus {
namespace {

TEST(RedisUrl, HostPortAndDatabase) {
  auto e = parse_redis_url("redis://10.0.0.5:6380/2");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->host, "10.0.0.5");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->db, 2);
  EXPECT_EQ(e->password, "");
  EXPECT_EQ(e->channel(), "genq:2:jobs");
  EXPECT_EQ(e->describe(), "redis://10.0.0.5:6380/2");
}

TEST(RedisUrl, DefaultsAndPassword) {
  auto e = parse_redis_url("redis://:s3cret@cache.internal");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->host, "cache.internal");
  EXPECT_EQ(e->port, 6379);
  EXPECT_EQ(e->db, 0);
  EXPECT_EQ(e->password, "s3cret");
  EXPECT_EQ(e->describe().find("s3cret"), std::string::npos) << "the password stays out of logs";
}

TEST(RedisUrl, RefusesWhatItCannotUse) {
  for (const char* bad : {"", "localhost:6379", "http://localhost:6379", "redis://", "redis://h:1/x",
                          "redis://h:1/-1", "redis://h:1/0?ssl=1"}) {
    auto e = parse_redis_url(bad);
    EXPECT_FALSE(e) << bad;
    if (!e) {
      EXPECT_EQ(e.error().kind, ErrorKind::Invalid) << bad;
    }
  }
}

TEST(ChangeMessage, CarriesTheSummaryAndNothingMore) {
  Job job;
  job.id = "0190-a";
  job.client_id = "c1";
  job.model = "Flux1schnell";
  job.status = JobStatus::InProgress;
  job.progress = 42.5;
  job.version = 7;
  job.seq = 12345;
  job.preview_jpeg = std::string(1000, 'x');
  job.params_json = R"({"prompt":"secret"})";
  std::string text = encode_change(job, "node-a");
  EXPECT_LT(text.size(), 200u) << text;
  EXPECT_EQ(text.find("secret"), std::string::npos);
  auto m = decode_change(text);
  ASSERT_TRUE(m) << text;
  EXPECT_EQ(m->origin, "node-a");
  JobSummary s = m->summary();
  EXPECT_EQ(s.id, "0190-a");
  EXPECT_EQ(s.client_id, "c1");
  EXPECT_EQ(s.model, "Flux1schnell");
  EXPECT_EQ(s.status, JobStatus::InProgress);
  ASSERT_TRUE(s.progress);
  EXPECT_DOUBLE_EQ(*s.progress, 42.5);
  EXPECT_EQ(s.version, 7);
  EXPECT_EQ(s.seq, 12345) << "queue positions on other nodes need the submit order";
  EXPECT_TRUE(s.remote);
}

TEST(ChangeMessage, AMessageWithoutSequenceFromAnOlderNodeReadsZero) {
  auto m = decode_change(R"({"o":"n","i":"j","c":"c","m":"M","s":"pending","v":1})");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->seq, 0);
}

TEST(ChangeMessage, WithoutProgressAndForeignMessages) {
  Job job;
  job.id = "j";
  job.status = JobStatus::Pending;
  auto m = decode_change(encode_change(job, "n"));
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->progress);
  for (const char* foreign : {"hello", "[]", R"({"o":"n"})", R"({"o":"n","i":"j","c":"","m":"","s":"bogus","v":1})",
                              R"({"o":"n","i":"j","c":"","m":"","s":"done","v":"1"})"}) {
    EXPECT_FALSE(decode_change(foreign)) << foreign;
  }
}

TEST(RedisBackoff, DoublesFrom100MsUpToItsCapAndStartsOverAfterASuccess) {
  Backoff backoff(Millis(500));
  EXPECT_EQ(backoff.next(), Millis(100));
  EXPECT_EQ(backoff.next(), Millis(200));
  EXPECT_EQ(backoff.next(), Millis(400));
  EXPECT_EQ(backoff.next(), Millis(500));
  EXPECT_EQ(backoff.next(), Millis(500));
  backoff.reset();
  EXPECT_EQ(backoff.next(), Millis(100));
}

}  // namespace
}  // namespace genq::bus
