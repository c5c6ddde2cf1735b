#pragma once
// The webhook tests' store: a SqliteStoreFixture (temporary file, ManualClock) holding
// one client, "cl_1", whose account webhook secret is kAccountSecret.
#include <gtest/gtest.h>

#include "genq/crypto/crypto.hpp"
#include "unit/store/sqlite_store_fixture.hpp"

namespace genq {

class WebhookStoreFixture : public SqliteStoreFixture {
 protected:
  static constexpr const char* kAccountSecret = "whsec_b2xk";

  void SetUp() override {
    SqliteStoreFixture::SetUp();
    Client client;
    client.id = "cl_1";
    client.name = "one";
    client.webhook_secret = kAccountSecret;
    ASSERT_TRUE(store_->create_client(client, crypto::sha256_hex("key-1")));
  }
};

}  // namespace genq
