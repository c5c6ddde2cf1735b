#pragma once
// The webhook outbox tests' fixture, for every Store (SQLite and PostgreSQL): one
// client, "cl_1", with an account secret; helpers to read due deliveries as the engine
// does, the delivery log, and attempts to record.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "genq/crypto/crypto.hpp"
#include "unit/store/store_fixture.hpp"

namespace genq {

using namespace std::chrono_literals;

inline constexpr const char* kHook = "https://hooks.example.com/genq";

class OutboxFixture : public StoreFixture {
 protected:
  static constexpr const char* kAccountSecret = "whsec_b2xk";
  static constexpr const char* kSender = "sender-1";
  static constexpr Millis kClaim{60'000};

  // One client, "cl_1", whose account webhook secret is kAccountSecret.
  void SetUp() override {
    StoreFixture::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    create_client("cl_1", kAccountSecret, crypto::sha256_hex("key-1"));
  }

  NewJob hooked_job(std::string id) {
    NewJob job = new_job(std::move(id));
    job.webhook_url = kHook;
    return job;
  }

  // Every due delivery, receiver by receiver as the engine reads them, in commit order.
  std::vector<DueDelivery> due() {
    std::vector<DueDelivery> all;
    Result<std::vector<std::string>> hosts = store_->due_hosts(clock_.now());
    EXPECT_TRUE(hosts) << hosts.error().message;
    for (const std::string& host : hosts ? *hosts : std::vector<std::string>{}) {
      DueQuery query;
      query.now = clock_.now();
      query.host = host;
      query.limit = 100;
      query.claimant = kSender;
      query.claim_for = kClaim;
      Result<std::vector<DueDelivery>> rows = store_->due_deliveries(query);
      EXPECT_TRUE(rows) << rows.error().message;
      if (rows) all.insert(all.end(), rows->begin(), rows->end());
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const DueDelivery& a, const DueDelivery& b) { return a.occurred_at < b.occurred_at; });
    return all;
  }

  std::vector<DeliveryRecord> log_of(const std::string& job_id) {
    Result<std::vector<DeliveryRecord>> records = store_->deliveries_for_job(job_id, "cl_1");
    EXPECT_TRUE(records) << records.error().message;
    return records ? *records : std::vector<DeliveryRecord>{};
  }

  std::vector<std::string> events_of(const std::string& job_id) {
    std::vector<std::string> events;
    for (const auto& record : log_of(job_id)) events.push_back(record.event);
    return events;
  }

  AttemptRecord attempt(const DueDelivery& d, std::optional<int> status, DeliveryState state,
                        std::optional<TimePoint> next = std::nullopt) {
    AttemptRecord a;
    a.delivery_id = d.id;
    a.version = d.version;
    a.claimant = kSender;
    a.started_at = clock_.now();
    a.latency = 7ms;
    a.http_status = status;
    a.error = state == DeliveryState::Delivered ? "" : "HTTP 500";
    a.state = state;
    a.next_attempt_at = next;
    return a;
  }
};

}  // namespace genq
