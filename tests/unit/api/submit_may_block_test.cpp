// submit_may_block: which submits leave the I/O thread for the blocking pool.
#include <gtest/gtest.h>

#include "genq/api/submission.hpp"

namespace genq::api {
namespace {

http::Request request(std::string content_type, std::string body) {
  http::Request r;
  r.headers.set(boost::beast::http::field::content_type, content_type);
  r.body = std::move(body);
  return r;
}

TEST(SubmitMayBlock, AWebhookUrlWhoseHostMayNeedDnsGoesToThePool) {
  EXPECT_TRUE(submit_may_block(request("application/json",
                                       R"({"model":"Flux1schnell","prompt":"x","webhook_url":"https://hooks.example.com/in"})")));
  EXPECT_TRUE(submit_may_block(request("application/x-www-form-urlencoded",
                                       "model=Flux1schnell&webhook_url=https%3A%2F%2Fhooks.example.com%2Fin")));
}

TEST(SubmitMayBlock, MultipartGoesToThePoolAndAPlainJsonSubmitStaysInline) {
  EXPECT_TRUE(submit_may_block(request("multipart/form-data; boundary=abc", "--abc--\r\n")));
  EXPECT_FALSE(submit_may_block(request("application/json", R"({"model":"Flux1schnell","prompt":"a lighthouse"})")));
}

}  // namespace
}  // namespace genq::api
