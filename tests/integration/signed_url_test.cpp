// Signed download URLs (SPEC §7): result_url is absolute, based on --public-url (by
// default the listening address), and works without credentials; an altered or
// expired URL gets 403; each status read signs a fresh URL.
#include <ctime>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

// Replaces the value of query parameter `name` in `url`.
std::string with_query_value(const std::string& url, const std::string& name,
                             const std::string& value) {
  const auto start = url.find(name + "=");
  if (start == std::string::npos) {
    return url;
  }
  const auto value_start = start + name.size() + 1;
  const auto end = url.find('&', value_start);
  return url.substr(0, value_start) + value +
         (end == std::string::npos ? std::string() : url.substr(end));
}

std::string query_value(const std::string& url, const std::string& name) {
  const auto start = url.find(name + "=");
  if (start == std::string::npos) {
    return {};
  }
  const auto value_start = start + name.size() + 1;
  const auto end = url.find('&', value_start);
  return url.substr(value_start, end == std::string::npos ? std::string::npos : end - value_start);
}

class SignedUrls : public GenqTest {
 protected:
  std::string done_result_url() {
    const auto done = finish_by_hand(submit(requests().minimal("txt2img")));
    return field(done, "result_url");
  }
  HttpClient anonymous() const { return HttpClient(server().base_url()); }
};

TEST_F(SignedUrls, ResultUrlWorksWithoutCredentials) {
  const std::string url = done_result_url();
  ASSERT_TRUE(url.starts_with(server().base_url() + "/files/")) << url;
  const auto download = anonymous().get(url);
  EXPECT_EQ(download.status, 200) << download.describe();
  EXPECT_TRUE(png_size(download.body)) << "the uploaded PNG comes back";
}

TEST_F(SignedUrls, AlteredSignatureIsForbidden) {
  const std::string url = done_result_url();
  std::string signature = query_value(url, "signature");
  ASSERT_FALSE(signature.empty()) << url;
  signature[0] = signature[0] == '0' ? '1' : '0';
  const auto response = anonymous().get(with_query_value(url, "signature", signature));
  EXPECT_EQ(response.status, 403) << response.describe();
}

TEST_F(SignedUrls, ExtendedExpiryIsForbidden) {
  const std::string url = done_result_url();
  const std::string expires = query_value(url, "expires");
  ASSERT_FALSE(expires.empty()) << url;
  const auto later = std::to_string(std::stoll(expires) + 86400);
  const auto response = anonymous().get(with_query_value(url, "expires", later));
  EXPECT_EQ(response.status, 403) << response.describe();
}

TEST_F(SignedUrls, SignatureForOneFileDoesNotOpenAnother) {
  const std::string first = done_result_url();
  const std::string second = done_result_url();
  // The path of the second file with the query (signature) of the first.
  const std::string forged = second.substr(0, second.find('?')) + first.substr(first.find('?'));
  const auto response = anonymous().get(forged);
  EXPECT_EQ(response.status, 403) << response.describe();
}

TEST_F(SignedUrls, MissingSignatureIsForbidden) {
  const std::string url = done_result_url();
  const auto response = anonymous().get(url.substr(0, url.find('?')));
  EXPECT_EQ(response.status, 403) << response.describe();
}

class ShortLivedUrls : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override { return {"--url-ttl-s", "1"}; }
};

TEST_F(ShortLivedUrls, ExpiredUrlIsForbiddenAndAFreshReadSignsAgain) {
  const std::string id = submit(requests().minimal("txt2img"));
  const auto done = finish_by_hand(id);
  const std::string url = field(done, "result_url");
  ASSERT_FALSE(url.empty());
  const long long expires = std::stoll(query_value(url, "expires"));
  EXPECT_LE(expires, static_cast<long long>(std::time(nullptr)) + 2)
      << "expires should follow --url-ttl-s 1: " << url;

  HttpResponse last;
  EXPECT_TRUE(wait_until(5s, [&] {
    last = HttpClient(server().base_url()).get(url);
    return last.status == 403;
  })) << "URL still served after its expiry: " << last.describe();

  // A new status read signs a new URL that works (retried: with a one-second
  // lifetime a URL may expire between signing and fetching).
  EXPECT_TRUE(wait_until(5s, [&] {
    const auto fresh = status_of(id);
    if (!fresh) {
      return false;
    }
    last = HttpClient(server().base_url()).get(field(*fresh, "result_url"));
    return last.status == 200;
  })) << "no fresh working URL: " << last.describe();
}

class PublicUrl : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override {
    return {"--public-url", "https://genq.example.test/base"};
  }
};

TEST_F(PublicUrl, ResultUrlsUseThePublicUrl) {
  const auto done = finish_by_hand(submit(requests().minimal("txt2img")));
  const std::string url = field(done, "result_url");
  EXPECT_TRUE(url.starts_with("https://genq.example.test/base/files/")) << url;
}

}  // namespace
}  // namespace genq::testing
