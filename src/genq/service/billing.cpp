#include "genq/service/billing.hpp"

#include <cmath>

namespace genq {

std::int64_t to_nanos(double amount) { return std::llround(amount * 1e9); }

double from_nanos(std::int64_t nanos) { return static_cast<double>(nanos) / 1e9; }

Result<Billing::Decision> Billing::decide(const std::string& client_id, double price) {
  if (!enabled_) return Decision{};
  const std::int64_t price_nanos = to_nanos(price);
  auto balance = store_.get_balance(client_id);
  if (!balance) return fail(std::move(balance.error()));
  if (!balance->unlimited && balance->nanos < price_nanos) return Decision{price_nanos, true};
  return Decision{price_nanos, false};
}

}  // namespace genq
