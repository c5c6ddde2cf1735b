// Webhook signatures: deAPI's and Standard Webhooks' schemes against known vectors,
// and which secrets sign during a rotation's overlap.
#include <gtest/gtest.h>

#include "genq/webhook/signer.hpp"

namespace genq::webhook {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kAccountSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::string header(const std::vector<Header>& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "<missing>";
}

TEST(WebhookSigner, StandardSignatureMatchesTheStandardWebhooksExample) {
  // The example from the Standard Webhooks specification and its libraries' tests.
  EXPECT_EQ(standard_signature(kAccountSecret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSigner, DeapiSignatureIsHexHmacOfTimestampDotBodyKeyedByTheWholeSecret) {
  // Computed independently: hmac.new(b"whsec_...", b"1614265330." + body, sha256).hexdigest()
  EXPECT_EQ(deapi_signature(kAccountSecret, 1614265330, R"({"event":"job.completed","data":{"job_request_id":"123"}})"),
            "sha256=e3a5234cc39eb48c42233e6c5e7a80a5b51932b1c4c5fb5a0bbba02e1c06ad6a");
}

TEST(WebhookSigner, SecretWithoutPrefixSignsWithItsUtf8Bytes) {
  const std::string secret = "a-per-job-secret-of-at-least-32-characters";
  const std::string body = R"({"event":"job.completed","data":{"job_request_id":"123"}})";
  EXPECT_EQ(standard_key(secret), secret);
  EXPECT_EQ(standard_signature(secret, "dlv_1", 1700000000, body), "v1,XrtmAdmzX9dSkc1QcTLhDpTJ4d47DPf/K+CqvfuzqFg=");
  EXPECT_EQ(deapi_signature(secret, 1700000000, body),
            "sha256=34b48ebc09d17842eadba2feceb9205d81b0b2b7f96053b97e165a0fcbb06946");
}

TEST(WebhookSigner, WhsecKeyIsTheBase64DecodedRemainder) {
  EXPECT_EQ(standard_key("whsec_aGVsbG8="), "hello");
  // Not base64 after the prefix: the whole string is the key, as for any other secret.
  EXPECT_EQ(standard_key("whsec_!!!"), "whsec_!!!");
}

TEST(WebhookSigner, HeadersCarryBothSchemesAndTheSameIdAndTimestamp) {
  const auto headers = signed_headers("job.completed", "d-1", 1700000000, "{}", {std::string(kAccountSecret)});
  EXPECT_EQ(header(headers, "X-DeAPI-Event"), "job.completed");
  EXPECT_EQ(header(headers, "X-DeAPI-Delivery-Id"), "d-1");
  EXPECT_EQ(header(headers, "X-DeAPI-Timestamp"), "1700000000");
  EXPECT_EQ(header(headers, "webhook-id"), "d-1");
  EXPECT_EQ(header(headers, "webhook-timestamp"), "1700000000");
  EXPECT_EQ(header(headers, "X-DeAPI-Signature"), deapi_signature(kAccountSecret, 1700000000, "{}"));
  EXPECT_EQ(header(headers, "webhook-signature"), standard_signature(kAccountSecret, "d-1", 1700000000, "{}"));
  EXPECT_EQ(header(headers, "X-DeAPI-Signature-Previous"), "<missing>");
  EXPECT_NE(header(headers, "User-Agent").find("genq"), std::string::npos);
  EXPECT_EQ(header(headers, "Content-Type"), "application/json");
}

TEST(WebhookSigner, DuringTheOverlapBothSecretsSignNewestFirst) {
  const auto headers = signed_headers("job.failed", "d-2", 1700000000, "{}", {"whsec_bmV3", "whsec_b2xk"});
  EXPECT_EQ(header(headers, "webhook-signature"), standard_signature("whsec_bmV3", "d-2", 1700000000, "{}") + " " +
                                                      standard_signature("whsec_b2xk", "d-2", 1700000000, "{}"));
  EXPECT_EQ(header(headers, "X-DeAPI-Signature"), deapi_signature("whsec_bmV3", 1700000000, "{}"));
  EXPECT_EQ(header(headers, "X-DeAPI-Signature-Previous"), deapi_signature("whsec_b2xk", 1700000000, "{}"));
}

TEST(WebhookSigner, JobSecretAloneSignsItsDeliveries) {
  DueDelivery d;
  d.job_secret = "job-secret";
  d.account_secret = "whsec_bmV3";
  EXPECT_EQ(signing_secrets(d, from_unix_ms(0)), std::vector<std::string>{"job-secret"});
}

TEST(WebhookSigner, PreviousAccountSecretSignsUntilItsOverlapEnds) {
  const TimePoint now = from_unix_ms(1'700'000'000'000);
  DueDelivery d;
  d.account_secret = "whsec_bmV3";
  d.previous_account_secret = "whsec_b2xk";
  d.previous_secret_until = now + 1s;
  EXPECT_EQ(signing_secrets(d, now), (std::vector<std::string>{"whsec_bmV3", "whsec_b2xk"}));
  EXPECT_EQ(signing_secrets(d, now + 1s), std::vector<std::string>{"whsec_bmV3"});
}

}  // namespace
}  // namespace genq::webhook
