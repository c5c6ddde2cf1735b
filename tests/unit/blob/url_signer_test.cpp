#include "genq/blob/url_signer.hpp"

#include <gtest/gtest.h>

#include "genq/blob/blob_store.hpp"

namespace genq {
namespace {

struct Parts {
  std::string key, expires, signature;
};

Parts split(const std::string& url, const std::string& base) {
  std::string rest = url.substr(base.size() + std::string("/files/").size());
  auto q = rest.find("?expires=");
  auto s = rest.find("&signature=");
  return {rest.substr(0, q), rest.substr(q + 9, s - q - 9), rest.substr(s + 11)};
}

TEST(UrlSigner, SignedUrlVerifiesUntilItExpires) {
  ManualClock clock;
  UrlSigner signer("secret", "http://h:1");
  std::string url = signer.sign("results/j/output.png", clock.now(), std::chrono::seconds(60));
  Parts p = split(url, "http://h:1");
  EXPECT_EQ(p.key, "results/j/output.png");
  EXPECT_TRUE(signer.verify(p.key, p.expires, p.signature, clock.now()));
  clock.advance(std::chrono::seconds(61));
  EXPECT_FALSE(signer.verify(p.key, p.expires, p.signature, clock.now()));
}

TEST(UrlSigner, AlteredKeyExpiryOrSignatureIsRejected) {
  ManualClock clock;
  UrlSigner signer("secret", "http://h:1");
  Parts p = split(signer.sign("results/j/output.png", clock.now(), std::chrono::seconds(60)), "http://h:1");
  EXPECT_FALSE(signer.verify("results/k/output.png", p.expires, p.signature, clock.now()));
  EXPECT_FALSE(signer.verify(p.key, std::to_string(std::stoll(p.expires) + 1000), p.signature, clock.now()));
  std::string bad = p.signature;
  bad[0] = bad[0] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(signer.verify(p.key, p.expires, bad, clock.now()));
  EXPECT_FALSE(signer.verify(p.key, "12x", p.signature, clock.now()));
}

TEST(UrlSigner, AnotherSecretDoesNotVerify) {
  ManualClock clock;
  UrlSigner a("one", "http://h"), b("two", "http://h");
  Parts p = split(a.sign("inputs/j/image.png", clock.now(), std::chrono::seconds(60)), "http://h");
  EXPECT_FALSE(b.verify(p.key, p.expires, p.signature, clock.now()));
}

TEST(BlobKeys, KeysCannotEscapeTheRoot) {
  EXPECT_TRUE(is_safe_blob_key("results/abc/output.png"));
  EXPECT_FALSE(is_safe_blob_key("../etc/passwd"));
  EXPECT_FALSE(is_safe_blob_key("/etc/passwd"));
  EXPECT_FALSE(is_safe_blob_key("results//x"));
  EXPECT_FALSE(is_safe_blob_key("results/./x"));
  EXPECT_FALSE(is_safe_blob_key(""));
}

}  // namespace
}  // namespace genq
