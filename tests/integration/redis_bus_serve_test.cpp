// genq serve --bus redis://…: readiness follows Redis (not ready while it is down,
// ready again once it is back) while the node keeps serving, and a bus it cannot use
// is refused at start.
#include "integration/genq_test.hpp"
#include "support/redis_server.hpp"

namespace genq::testing {
namespace {

std::string bus_readyz_text(const GenqServer& server) {
  auto r = server.http().get("/readyz");
  return std::to_string(r.status) + " " + r.body;
}

TEST(RedisBusServe, ReadyzFollowsRedisAndTheNodeServesThroughAnOutage) {
  RedisServer redis;
  GenqServer server(server_options({"--bus", redis.url()}));
  ASSERT_TRUE(wait_until(15s, [&] { return server.http().get("/readyz").status == 200; })) << bus_readyz_text(server);
  EXPECT_NE(server.http().get("/readyz").body.find("connected to " + redis.url()), std::string::npos)
      << bus_readyz_text(server);

  redis.stop();
  ASSERT_TRUE(wait_until(10s, [&] { return server.http().get("/readyz").status == 503; }))
      << "still ready with Redis down: " << bus_readyz_text(server);
  const auto down = server.http().get("/readyz");
  EXPECT_NE(down.body.find("event bus"), std::string::npos) << down.body;
  EXPECT_EQ(text_at(down.json(), "/checks/bus/status"), "failing") << down.body;
  EXPECT_EQ(text_at(down.json(), "/checks/store/status"), "ok") << down.body;
  EXPECT_EQ(server.http().get("/healthz").status, 200) << "the process itself is fine";
  const auto metrics = server.http().get("/metrics");
  EXPECT_NE(metrics.body.find("genq_bus_ready 0"), std::string::npos) << metrics.body;

  // Local work goes on: a job submitted now is there to read.
  const auto client = server.create_client("during-outage");
  const TempDir scratch("genq-scratch");
  const RequestFactory requests(catalog_path(), scratch);
  const std::string id = request_id_of(requests.minimal("txt2img").submit(server.client_http(client)));
  EXPECT_EQ(server.client_http(client).get("/api/v1/client/request-status/" + id).status, 200);

  redis.start();
  ASSERT_TRUE(wait_until(20s, [&] { return server.http().get("/readyz").status == 200; }))
      << "not ready after Redis came back: " << bus_readyz_text(server);
  EXPECT_NE(server.http().get("/metrics").body.find("genq_bus_ready 1"), std::string::npos);
}

TEST(RedisBusServe, AnUnusableBusIsRefusedAtStart) {
  TempDir data("genq-data");
  for (const char* bus : {"redis:/nohost", "memcached://127.0.0.1:11211", "redis://127.0.0.1:6379/x"}) {
    const auto result = run_command({GENQ_BINARY, "serve", "--listen", "127.0.0.1:0", "--data", data.path().string(),
                                     "--bus", bus},
                                    20s);
    EXPECT_EQ(result.exit_code, 2) << bus << ": " << result.err;
    EXPECT_NE(result.err.find("--bus"), std::string::npos) << result.err;
  }
}

TEST(RedisBusServe, ServeHelpDescribesTheBus) {
  const auto result = run_command({GENQ_BINARY, "serve", "--help"}, 20s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::string help = result.out + result.err;
  EXPECT_NE(help.find("--bus"), std::string::npos);
  EXPECT_NE(help.find("redis://"), std::string::npos);
}

}  // namespace
}  // namespace genq::testing
