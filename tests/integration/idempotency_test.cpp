// Idempotency-Key on submit (SPEC §3): the same key and body from the same client
// returns the same request_id and creates no second job.
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class Idempotency : public GenqTest {
 protected:
  // How many jobs wait in the queue, counted by a worker claiming them all.
  std::size_t queued_jobs() const {
    return manual_worker().claim(kShortWait, {}, 32).size();
  }
};

TEST_F(Idempotency, SameKeyAndBodyReturnTheSameRequestAndOneJob) {
  const JobRequest request = requests().minimal("txt2img");
  const Headers key = {{"Idempotency-Key", "order-1234"}};
  const std::string first = submit(request, key);
  const std::string second = submit(request, key);
  const std::string third = submit(request, key);
  EXPECT_EQ(first, second);
  EXPECT_EQ(first, third);
  EXPECT_EQ(queued_jobs(), 1u);
}

TEST_F(Idempotency, DifferentKeysCreateDifferentJobs) {
  const JobRequest request = requests().minimal("txt2img");
  const std::string first = submit(request, {{"Idempotency-Key", "key-a"}});
  const std::string second = submit(request, {{"Idempotency-Key", "key-b"}});
  EXPECT_NE(first, second);
  EXPECT_EQ(queued_jobs(), 2u);
}

TEST_F(Idempotency, NoKeyMeansEverySubmitIsANewJob) {
  const JobRequest request = requests().minimal("txt2img");
  EXPECT_NE(submit(request), submit(request));
  EXPECT_EQ(queued_jobs(), 2u);
}

TEST_F(Idempotency, ReusingAKeyForADifferentBodyIsRefused) {
  JobRequest request = requests().minimal("txt2img");
  const Headers key = {{"Idempotency-Key", "reused-key"}};
  const std::string first = submit(request, key);
  request.fields["prompt"] = "something else entirely";
  const auto reused = request.submit(api(), key);
  // The contract fixes only that it must not be taken as the same request.
  EXPECT_TRUE(reused.status >= 400 && reused.status < 500) << reused.describe();
  EXPECT_NE(text_at(reused.json(), "/message"), "<missing>");
  EXPECT_EQ(queued_jobs(), 1u);
}

TEST_F(Idempotency, KeysAreScopedToTheClient) {
  const JobRequest request = requests().minimal("txt2img");
  const Headers key = {{"Idempotency-Key", "shared-key"}};
  const auto other = server().client_http(server().create_client("other"));
  const std::string mine = submit(request, key);
  const std::string theirs = request_id_of(request.submit(other, key));
  EXPECT_NE(mine, theirs);
  EXPECT_EQ(other.get("/api/v1/client/request-status/" + mine).status, 404)
      << "a shared key must not leak another client's job";
}

TEST_F(Idempotency, ReplayAfterTheJobFinishedReturnsTheFinishedJob) {
  const JobRequest request = requests().minimal("txt2img");
  const Headers key = {{"Idempotency-Key", "finished-key"}};
  const std::string id = submit(request, key);
  finish_by_hand(id);
  EXPECT_EQ(submit(request, key), id);
  EXPECT_EQ(queued_jobs(), 0u);
}

TEST_F(Idempotency, KeysSurviveARestart) {
  const JobRequest request = requests().minimal("txt2img");
  const Headers key = {{"Idempotency-Key", "durable-key"}};
  const std::string id = submit(request, key);
  server().restart();
  EXPECT_EQ(submit(request, key), id);
  EXPECT_EQ(queued_jobs(), 1u);
}

TEST_F(Idempotency, FileTasksReplayToo) {
  const JobRequest request = requests().minimal("img2img");
  ASSERT_FALSE(request.files.empty());
  const Headers key = {{"Idempotency-Key", "multipart-key"}};
  const std::string first = submit(request, key);
  EXPECT_EQ(submit(request, key), first);
  EXPECT_EQ(queued_jobs(), 1u);
}

}  // namespace
}  // namespace genq::testing
