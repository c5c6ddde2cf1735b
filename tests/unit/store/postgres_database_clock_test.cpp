// DatabaseClock: this machine's time moved by the offset to the PostgreSQL server's.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "genq/store/postgres/database_clock.hpp"
#include "support/postgres_server.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

TEST(PostgresDatabaseClock, AgreesWithTheServerItMeasured) {
  std::string dsn;
  try {
    dsn = genq::testing::PostgresServer::shared().dsn("postgres");
  } catch (const std::exception& e) {
    FAIL() << "no PostgreSQL for the store tests: " << e.what();
  }
  Result<std::unique_ptr<postgres::DatabaseClock>> clock = postgres::DatabaseClock::open(dsn, 50ms);
  ASSERT_TRUE(clock) << clock.error().message;
  // The server runs on this machine: one clock, so the offset is the measurement's
  // error only (milliseconds on a loaded box).
  EXPECT_LT(std::abs((*clock)->offset().count()), 1000) << (*clock)->offset().count() << " ms";
  const TimePoint system = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  EXPECT_LT(std::abs(((*clock)->now() - system).count()), 1000);
}

TEST(PostgresDatabaseClock, AnUnreachableServerIsUnavailable) {
  Result<std::unique_ptr<postgres::DatabaseClock>> clock =
      postgres::DatabaseClock::open("postgres://genq@127.0.0.1:1/none");
  ASSERT_FALSE(clock);
  EXPECT_EQ(clock.error().kind, ErrorKind::Unavailable);
}

}  // namespace
}  // namespace genq
