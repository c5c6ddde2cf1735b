// Retention that deletes (docs/reliability.md): past --result-ttl-s a job's files go,
// past --job-retention-s its row; the database file and the blob directory shrink
// back instead of only growing.
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

// Bytes of the regular files under `dir`.
std::uintmax_t tree_bytes(const std::filesystem::path& dir) {
  std::uintmax_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

class Retention : public GenqTest {
 protected:
  // The server reads its retention settings from this file, so that a restart can
  // change them: the defaults first, tiny ones later.
  std::filesystem::path config() const { return scratch().path() / "retention.toml"; }
  std::vector<std::string> server_args() const override {
    write_file(config(), "");
    return {"--config", config().string()};
  }
};

TEST_F(Retention, TinyRetentionsShrinkTheDatabaseAndTheBlobDirectoryBackDown) {
  constexpr int kJobs = 100;
  JobRequest request = requests().minimal("txt2img");
  request.fields["prompt"] = std::string(4000, 'p');  // rows of a realistic weight
  request.fields["width"] = 512;
  request.fields["height"] = 512;
  std::vector<std::string> ids;
  {
    auto worker = server().start_worker({"--step-delay-ms", "0", "--concurrency", "4"});
    for (int i = 0; i < kJobs; ++i) ids.push_back(submit(request));
    for (const auto& id : ids) {
      ASSERT_TRUE(poll_status(api(), id, status_is("done"), kJobDeadline)) << id << " never finished";
    }
  }
  ASSERT_TRUE(server().stop(20s));
  const auto database = server().data_dir() / "genq.db";
  const auto blobs = server().data_dir() / "blobs";
  const std::uintmax_t database_full = std::filesystem::file_size(database);
  const std::uintmax_t blobs_full = tree_bytes(blobs);
  ASSERT_GT(blobs_full, 0U);

  write_file(config(), "result-ttl-s = 1\njob-retention-s = 1\nretention-interval-s = 1\n");
  server().start();
  // Every job goes: its status answers 404 like a job that never was.
  ASSERT_TRUE(wait_until(30s, [&] {
    for (const auto& id : ids) {
      if (api().get("/api/v1/client/request-status/" + id).status != 404) return false;
    }
    return true;
  })) << server().logs();
  ASSERT_TRUE(server().stop(20s));
  const std::uintmax_t database_after = std::filesystem::file_size(database);
  const std::uintmax_t blobs_after = tree_bytes(blobs);

  EXPECT_EQ(blobs_after, 0U) << "of " << blobs_full << " bytes of files, " << blobs_after << " stayed";
  EXPECT_LT(database_after * 2, database_full)
      << "genq.db: " << database_full << " bytes with " << kJobs << " jobs, " << database_after << " after";
  RecordProperty("database_full_bytes", std::to_string(database_full));
  RecordProperty("database_after_bytes", std::to_string(database_after));
  RecordProperty("blobs_full_bytes", std::to_string(blobs_full));
  std::cout << "genq.db " << database_full << " -> " << database_after << " bytes; blobs " << blobs_full << " -> "
            << blobs_after << " bytes\n";
}

}  // namespace
}  // namespace genq::testing
