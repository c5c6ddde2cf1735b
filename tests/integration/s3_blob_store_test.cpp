// S3BlobStore against a real S3 server (npm's s3rver behind a SigV4 check,
// support/s3_server.hpp): objects in and out, a big file streamed from disk, refusals
// that say what is wrong, and presigned GET URLs that plain HTTP can use until they
// expire or are altered. Skipped, saying why, without node or s3rver (`npm ci` in
// tests/js); scripts/run-tests.sh always has them.
#include "genq/blob/s3_blob_store.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "genq/crypto/crypto.hpp"
#include "support/http_client.hpp"
#include "support/s3_server.hpp"
#include "support/temp_dir.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;
using testing::HttpClient;
using testing::S3Server;

// "yes", "no", or the error, so that a failure says what went wrong.
std::string s3_existence(const Result<bool>& answer) {
  return answer ? (*answer ? "yes" : "no") : "error: " + answer.error().message;
}
std::string s3_content(const Result<std::string>& answer) { return answer ? *answer : "error: " + answer.error().message; }

class S3BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      server_ = std::make_unique<S3Server>(GENQ_SOURCE_DIR);
    } catch (const testing::S3ServerMissing& e) {
      GTEST_SKIP() << e.what();
    }
    store_ = open(server_->settings());
    ASSERT_TRUE(store_);
  }

  std::unique_ptr<S3BlobStore> open(S3Settings settings) {
    auto opened = S3BlobStore::open(std::move(settings), spool_.path() / "spool");
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  static std::string random_bytes(std::size_t n) {
    std::mt19937_64 generator(42);
    std::string out(n, '\0');
    for (auto& c : out) c = static_cast<char>(generator());
    return out;
  }

  testing::TempDir spool_{"genq-s3-spool"};
  std::unique_ptr<S3Server> server_;
  std::unique_ptr<S3BlobStore> store_;
  HttpClient http_{"http://127.0.0.1"};
};

TEST_F(S3BlobStoreTest, PutExistsReadRemove) {
  ASSERT_TRUE(store_->check());
  EXPECT_EQ(s3_existence(store_->exists("results/j1/output.txt")), "no");
  ASSERT_TRUE(store_->put("results/j1/output.txt", "hello s3"));
  EXPECT_EQ(s3_existence(store_->exists("results/j1/output.txt")), "yes");
  EXPECT_EQ(s3_content(store_->read("results/j1/output.txt")), "hello s3");
  ASSERT_TRUE(store_->remove("results/j1/output.txt"));
  EXPECT_EQ(s3_existence(store_->exists("results/j1/output.txt")), "no");
  EXPECT_TRUE(store_->remove("results/j1/output.txt")) << "removing an absent key is not an error";
  EXPECT_FALSE(store_->local_path("results/j1/output.txt")) << "S3 files are never served from disk";
  EXPECT_FALSE(store_->put("../escape", "x"));
}

TEST_F(S3BlobStoreTest, BigFileIsStreamedFromItsSpoolFileWhichIsThenGone) {
  const std::string data = random_bytes(12 * 1024 * 1024 + 7);
  const std::filesystem::path spooled = store_->temp_path();
  {
    std::ofstream out(spooled, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  ASSERT_TRUE(store_->put_file("results/big/output.bin", spooled));
  EXPECT_FALSE(std::filesystem::exists(spooled)) << "the spool file is consumed";
  auto back = store_->read("results/big/output.bin");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->size(), data.size());
  EXPECT_EQ(crypto::sha256_hex(*back), crypto::sha256_hex(data));
}

TEST_F(S3BlobStoreTest, PrefixKeepsKeysApartInTheBucket) {
  auto prefixed = open(server_->settings("tenant/a"));
  ASSERT_TRUE(prefixed);
  ASSERT_TRUE(prefixed->put("k/1.txt", "in the prefix"));
  EXPECT_EQ(s3_existence(store_->exists("tenant/a/k/1.txt")), "yes");
  EXPECT_EQ(s3_existence(store_->exists("k/1.txt")), "no");
}

TEST_F(S3BlobStoreTest, WrongSecretIsRefusedWithAClearError) {
  S3Settings wrong = server_->settings();
  wrong.secret_access_key = "not-the-secret";
  auto store = open(wrong);
  ASSERT_TRUE(store);
  auto put = store->put("results/x/output.txt", "x");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().kind, ErrorKind::Forbidden);
  EXPECT_NE(put.error().message.find("SignatureDoesNotMatch"), std::string::npos) << put.error().message;
  EXPECT_NE(put.error().message.find("--s3-secret-access-key"), std::string::npos) << put.error().message;
  auto checked = store->check();
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().kind, ErrorKind::Forbidden) << checked.error().message;
}

TEST_F(S3BlobStoreTest, UnreachableEndpointIsUnavailable) {
  S3Settings nowhere = server_->settings();
  nowhere.endpoint = "http://127.0.0.1:1";
  auto store = open(nowhere);
  ASSERT_TRUE(store);
  auto checked = store->check();
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().kind, ErrorKind::Unavailable) << checked.error().message;
}

TEST_F(S3BlobStoreTest, PresignedGetDownloadsUntilExpiryAndNotWhenAltered) {
  const std::string data = random_bytes(3 * 1024 * 1024);
  ASSERT_TRUE(store_->put("results/p/output.png", data));
  const TimePoint now = SystemClock().now();

  auto url = store_->direct_url("results/p/output.png", now, 3600s);
  ASSERT_TRUE(url);
  auto got = http_.get(*url);
  ASSERT_EQ(got.status, 200) << got.describe();
  EXPECT_EQ(crypto::sha256_hex(got.body), crypto::sha256_hex(data));

  std::string tampered = *url;
  tampered.back() = tampered.back() == '0' ? '1' : '0';  // the signature's last digit
  EXPECT_EQ(http_.get(tampered).status, 403);
  std::string other_key = *url;
  other_key.replace(other_key.find("/p/"), 3, "/q/");
  EXPECT_EQ(http_.get(other_key).status, 403) << "a signature names its key";

  auto expired = store_->direct_url("results/p/output.png", now - 2h, 3600s);
  ASSERT_TRUE(expired);
  auto refused = http_.get(*expired);
  EXPECT_EQ(refused.status, 403) << refused.describe();
  EXPECT_NE(refused.body.find("expired"), std::string::npos) << refused.body;

  EXPECT_EQ(http_.get(url->substr(0, url->find('?'))).status, 403) << "no signature, no file";
}

}  // namespace
}  // namespace genq
