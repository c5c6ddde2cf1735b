// Copies in other formats are made once, on first request, beside the result in a real
// directory store; concurrent first requests convert once; a damaged or missing result
// is an error that stores nothing.
#include "genq/service/alt_format_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <thread>
#include <vector>

#include "genq/blob/local_blob_store.hpp"
#include "support/media.hpp"
#include "support/temp_dir.hpp"

namespace genq {
namespace {

// A LocalBlobStore that counts the files stored in it and may hold reads.
class CountingBlobStore final : public BlobStore {
 public:
  explicit CountingBlobStore(std::unique_ptr<LocalBlobStore> inner) : inner_(std::move(inner)) {}
  std::atomic<int> puts{0};
  std::function<void()> before_read;  // set while no call is under way

  Status put(const std::string& key, std::string_view data) override {
    puts++;
    return inner_->put(key, data);
  }
  std::filesystem::path temp_path() override { return inner_->temp_path(); }
  std::size_t remove_stale_temp_files(std::chrono::seconds idle) override {
    return inner_->remove_stale_temp_files(idle);
  }
  Status put_file(const std::string& key, const std::filesystem::path& file) override {
    return inner_->put_file(key, file);
  }
  Result<bool> exists(const std::string& key) override { return inner_->exists(key); }
  Result<std::string> read(const std::string& key) override {
    if (before_read) before_read();
    return inner_->read(key);
  }
  Status remove(const std::string& key) override { return inner_->remove(key); }
  std::optional<std::string> direct_url(const std::string& key, TimePoint now,
                                        std::chrono::seconds ttl) const override {
    return inner_->direct_url(key, now, ttl);
  }
  Result<std::filesystem::path> local_path(const std::string& key) override { return inner_->local_path(key); }
  std::string describe() const override { return inner_->describe(); }
  Status check() override { return inner_->check(); }

 private:
  std::unique_ptr<LocalBlobStore> inner_;
};

struct CacheFixture {
  genq::testing::TempDir dir{"genq-alt-cache"};
  CountingBlobStore blobs{*LocalBlobStore::open(dir.path())};
  AltFormatCache cache{blobs, media::TranscodeLimits{}};
};

TEST(AltFormatCache, FirstRequestConvertsAndLaterOnesReadTheStoredCopy) {
  CacheFixture f;
  ASSERT_TRUE(f.blobs.put("results/j1/output.png", genq::testing::make_noise_png(320, 200)));
  ASSERT_TRUE(f.cache.ensure("results/j1/output.png.alt.webp"));
  auto copy = f.blobs.read("results/j1/output.png.alt.webp");
  ASSERT_TRUE(copy);
  EXPECT_EQ(media::sniff_image(*copy), media::ImageFormat::Webp);
  EXPECT_EQ(f.blobs.puts.load(), 2);

  ASSERT_TRUE(f.cache.ensure("results/j1/output.png.alt.webp"));
  EXPECT_EQ(f.blobs.puts.load(), 2) << "served from the copy, not converted again";
}

TEST(AltFormatCache, ConcurrentFirstRequestsConvertOnce) {
  CacheFixture f;
  ASSERT_TRUE(f.blobs.put("results/j1/output.png", genq::testing::make_noise_png(600, 400)));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; i++) {
    threads.emplace_back([&] {
      if (f.cache.ensure("results/j1/output.png.alt.jpg")) ok++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(f.blobs.puts.load(), 2) << "the result and one copy";
  auto copy = f.blobs.read("results/j1/output.png.alt.jpg");
  ASSERT_TRUE(copy);
  EXPECT_TRUE(genq::testing::is_jpeg(*copy));
}

TEST(AltFormatCache, RequestsPastTheCallerCapAreRefusedAtOnceNotQueued) {
  genq::testing::TempDir dir{"genq-alt-cache"};
  CountingBlobStore blobs{*LocalBlobStore::open(dir.path())};
  AltFormatCache cache{blobs, media::TranscodeLimits{}, 1, 1};
  ASSERT_TRUE(blobs.put("results/j1/output.png", genq::testing::make_png(64, 48)));
  std::promise<void> reading, release;
  std::shared_future<void> released = release.get_future().share();
  blobs.before_read = [&] {
    reading.set_value();
    released.wait();
  };
  std::thread first([&] { EXPECT_TRUE(cache.ensure("results/j1/output.png.alt.jpg")); });
  reading.get_future().wait();  // the first request holds the only place, reading its result

  auto refused = cache.ensure("results/j1/output.png.alt.webp");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::Unavailable);
  release.set_value();
  first.join();
  blobs.before_read = nullptr;
  EXPECT_TRUE(cache.ensure("results/j1/output.png.alt.webp")) << "free again once the first is done";
  EXPECT_TRUE(cache.ensure("results/j1/output.png.alt.jpg")) << "a stored copy needs no place";
}

TEST(AltFormatCache, ADamagedResultIsInvalidAndStoresNothing) {
  CacheFixture f;
  const std::string png = genq::testing::make_noise_png(300, 200);
  ASSERT_TRUE(f.blobs.put("results/j1/output.png", png.substr(0, png.size() / 2)));
  auto made = f.cache.ensure("results/j1/output.png.alt.jpg");
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(f.blobs.exists("results/j1/output.png.alt.jpg").value_or(true), false);
}

TEST(AltFormatCache, AMissingResultOrAKeyThatNamesNoCopyIsNotFound) {
  CacheFixture f;
  auto gone = f.cache.ensure("results/j1/output.png.alt.jpg");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::NotFound);
  auto plain = f.cache.ensure("results/j1/output.png");
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().kind, ErrorKind::NotFound);
}

}  // namespace
}  // namespace genq
