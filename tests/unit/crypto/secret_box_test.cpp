// Sealing webhook secrets for the store: AES-256-GCM under a key an operator writes as
// hex or base64; a value opens only with its own key and only unchanged.
#include <gtest/gtest.h>

#include "genq/crypto/crypto.hpp"
#include "genq/crypto/secret_box.hpp"

namespace genq::crypto {
namespace {

SecretBox box_of(const std::string& text) {
  Result<SecretBox> box = SecretBox::from_key_text(text);
  EXPECT_TRUE(box) << box.error().message;
  return std::move(*box);
}

TEST(SecretBox, SealedValueOpensToThePlainSecretAndHidesIt) {
  const SecretBox box = box_of(SecretBox::new_key_text());
  const std::string plain = "whsec_" + base64_encode(random_bytes(32));
  const std::string sealed = box.seal(plain);
  EXPECT_TRUE(sealed.starts_with("gqsealed:v1:" + box.key_id() + ":")) << sealed;
  EXPECT_EQ(sealed.find(plain), std::string::npos);
  EXPECT_TRUE(SecretBox::is_sealed(sealed));
  EXPECT_FALSE(SecretBox::is_sealed(plain));
  EXPECT_EQ(box.open(sealed), plain);
  EXPECT_NE(box.seal(plain), sealed) << "a fresh nonce each time: equal secrets do not show as equal";
}

TEST(SecretBox, KeyIsReadAsHexOrBase64AndAnythingElseIsRefused) {
  const std::string raw = random_bytes(32);
  const SecretBox from_hex = box_of(to_hex(raw) + "\n");
  const SecretBox from_base64 = box_of(base64_encode(raw));
  EXPECT_EQ(from_hex.key_id(), from_base64.key_id());
  EXPECT_EQ(from_base64.open(from_hex.seal("same key")), "same key");
  for (const std::string& bad : {std::string(""), std::string("short"), std::string(63, 'a'),
                                std::string(64, 'g'), base64_encode(random_bytes(16))}) {
    Result<SecretBox> box = SecretBox::from_key_text(bad);
    ASSERT_FALSE(box) << "accepted key '" << bad << "'";
    EXPECT_NE(box.error().message.find("64 hex digits"), std::string::npos) << box.error().message;
  }
}

TEST(SecretBox, AnotherKeyOrAChangedValueDoesNotOpen) {
  const SecretBox box = box_of(SecretBox::new_key_text());
  const SecretBox other = box_of(SecretBox::new_key_text());
  const std::string sealed = box.seal("whsec_secret");
  EXPECT_FALSE(other.open(sealed));

  std::string changed = sealed;
  char& last_data = changed[changed.size() - 5];
  last_data = last_data == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.open(changed)) << "the tag catches a changed byte";
  EXPECT_FALSE(box.open(sealed.substr(0, sealed.size() - 8))) << "truncated";
  EXPECT_FALSE(box.open("gqsealed:v1:" + box.key_id() + ":%%%%"));
  EXPECT_FALSE(box.open("whsec_plain"));
}

TEST(SecretBox, EmptyAndLongSecretsRoundTrip) {
  const SecretBox box = box_of(SecretBox::new_key_text());
  EXPECT_EQ(box.open(box.seal("")), "");
  const std::string long_secret(255, 'x');
  EXPECT_EQ(box.open(box.seal(long_secret)), long_secret);
}

}  // namespace
}  // namespace genq::crypto
