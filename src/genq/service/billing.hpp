#pragma once
// Balances and charges (docs/api.md, "Balance and usage"). Off by default (`--billing`):
// then jobs carry no price, nothing is charged or refused, and the balance endpoint
// reports the client as unlimited. On: a submit whose catalog price the client's
// balance cannot cover is refused, and every job that ends done is charged its price
// once, in the store transaction that makes it done. Thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "genq/store/account_store.hpp"

namespace genq {

// deAPI's answer to a submit the balance cannot cover: 422 with this message under
// errors.balance (its SDK raises InsufficientBalanceError for exactly that shape).
inline constexpr std::string_view kNotEnoughBalance = "Not enough balance.";

// Amounts in the catalog's currency <-> the store's integer nano-units.
std::int64_t to_nanos(double amount);
double from_nanos(std::int64_t nanos);

class Billing {
 public:
  // `currency`: the one currency of the catalog's prices.
  Billing(AccountStore& store, bool enabled, std::string currency)
      : store_(store), enabled_(enabled), currency_(std::move(currency)) {}

  bool enabled() const { return enabled_; }
  const std::string& currency() const { return currency_; }

  struct Decision {
    std::optional<std::int64_t> price_nanos;  // what the job is stored with; nullopt = not billed
    bool refused = false;                     // the balance cannot cover the price
  };
  // Whether `client_id` may submit a job of `price` (the catalog's price-calculation).
  // A balance of at least the price covers it; unlimited clients are always covered.
  // Jobs in flight are not reserved: they are charged when done, so a balance may go
  // below zero, and then the next submit is refused.
  Result<Decision> decide(const std::string& client_id, double price);

  AccountStore& store() { return store_; }

 private:
  AccountStore& store_;
  bool enabled_;
  std::string currency_;
};

}  // namespace genq
