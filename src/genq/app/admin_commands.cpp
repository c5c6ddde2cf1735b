// `genq admin ...`: works directly on the store, also while servers run on it: the
// data directory's SQLite database (WAL + busy timeout), or the --store PostgreSQL
// database the nodes share.
#include <boost/json.hpp>

#include <cmath>
#include <iostream>

#include "genq/api/credential_view.hpp"
#include "genq/app/cluster_secrets.hpp"
#include "genq/app/commands.hpp"
#include "genq/app/data_dir.hpp"
#include "genq/service/account_service.hpp"
#include "genq/service/billing.hpp"
#include "genq/app/secrets_key.hpp"
#include "genq/app/store_choice.hpp"

namespace genq::app {
namespace {

// Runs fn(Store&, const DataDir&, const Clock&) on the store the servers use. The data
// directory is opened only for SQLite (it holds the database and the secrets).
template <class Fn>
int with_store(const AdminStore& where, Fn fn) {
  StoreChoice choice;
  choice.url = where.store_url;
  choice.read_connections = 1;
  DataDir dir;
  if (choice.url.empty()) {
    auto opened = open_data_dir(where.data_dir);
    if (!opened) {
      std::cerr << "genq admin: " << opened.error().message << "\n";
      return 1;
    }
    dir = *opened;
    choice.sqlite_path = dir.database().string();
  }
  SystemClock clock;
  auto store = open_store(choice, clock);
  if (!store) {
    std::cerr << "genq admin: cannot open " << describe(choice) << ": " << store.error().message << "\n";
    return 1;
  }
  // Before any command writes: a secret it stores is sealed like the server's.
  if (auto sealed = start_sealing_secrets(secret_source(dir, **store), **store, !choice.url.empty()); !sealed) {
    std::cerr << "genq admin: " << sealed.error().message << "\n";
    return 1;
  }
  return fn(**store, dir, clock);
}

template <class Fn>
int with_accounts(const AdminStore& where, Fn fn) {
  return with_store(where, [&fn](Store& store, const DataDir&, const Clock& clock) {
    AccountService accounts(store, "", clock);
    return fn(accounts);
  });
}

int print_balance(const std::string& client_id, const Result<Balance>& balance) {
  if (!balance) {
    std::cerr << "genq admin: " << balance.error().message << "\n";
    return 1;
  }
  std::cout << boost::json::serialize(boost::json::object{{"client_id", client_id},
                                                          {"balance", from_nanos(balance->nanos)},
                                                          {"unlimited", balance->unlimited}})
            << std::endl;
  return 0;
}

// Applies `options` over `limits`; false (with the reason on stderr) for a bad value.
bool apply_limits(const LimitOptions& options, ClientLimits& limits) {
  if (options.max_priority) {
    auto priority = parse_priority(*options.max_priority);
    if (!priority) {
      std::cerr << "genq admin: --max-priority must be low, normal or high\n";
      return false;
    }
    limits.max_priority = *priority;
  }
  for (auto [given, into] : {std::pair{&options.max_queued, &limits.max_queued},
                             std::pair{&options.max_running, &limits.max_running}}) {
    if (!*given) continue;
    if (**given < 0) {
      std::cerr << "genq admin: --max-queued and --max-running must be 0 (no cap) or more\n";
      return false;
    }
    *into = **given;
  }
  return true;
}

void put_limits(boost::json::object& out, const ClientLimits& limits) {
  out["max_priority"] = to_string(limits.max_priority);
  out["max_queued"] = limits.max_queued;
  out["max_running"] = limits.max_running;
}

}  // namespace

int admin_set_client_limits(const AdminStore& where, const std::string& client_id, const LimitOptions& options) {
  return with_accounts(where, [&](AccountService& accounts) {
    auto client = accounts.store().get_client(client_id);
    if (!client) {
      std::cerr << "genq admin: " << client.error().message << "\n";
      return 1;
    }
    ClientLimits limits = client->limits;
    if (!apply_limits(options, limits)) return 2;
    if (auto set = accounts.store().set_client_limits(client_id, limits); !set) {
      std::cerr << "genq admin: " << set.error().message << "\n";
      return 1;
    }
    boost::json::object out{{"client_id", client_id}};
    put_limits(out, limits);
    std::cout << boost::json::serialize(out) << std::endl;
    return 0;
  });
}

int admin_top_up(const AdminStore& where, const std::string& client_id, double amount, const std::string& note) {
  if (!std::isfinite(amount) || amount == 0 || std::abs(amount) > 1e9) {
    std::cerr << "genq admin: --amount must be a non-zero number of at most 1e9 in magnitude\n";
    return 2;
  }
  return with_accounts(where, [&](AccountService& accounts) {
    return print_balance(client_id, accounts.store().top_up(client_id, to_nanos(amount), note));
  });
}

int admin_set_unlimited(const AdminStore& where, const std::string& client_id, bool unlimited) {
  return with_accounts(where, [&](AccountService& accounts) {
    return print_balance(client_id, accounts.store().set_unlimited(client_id, unlimited));
  });
}

int admin_create_client(const AdminStore& where, const std::string& name, const LimitOptions& options) {
  ClientLimits limits;
  if (!apply_limits(options, limits)) return 2;
  return with_accounts(where, [&](AccountService& accounts) {
    auto created = accounts.create_client(name, limits);
    if (!created) {
      std::cerr << "genq admin: " << created.error().message << "\n";
      return 1;
    }
    boost::json::object out{{"client_id", created->client.id},
                            {"api_key", created->api_key},
                            {"webhook_secret", created->client.webhook_secret}};
    put_limits(out, created->client.limits);
    std::cout << boost::json::serialize(out) << std::endl;
    return 0;
  });
}

int admin_create_worker_token(const AdminStore& where, const std::vector<std::string>& models,
                              const std::string& name) {
  return with_accounts(where, [&](AccountService& accounts) {
    auto token = accounts.create_worker_token(name, models);
    if (!token) {
      std::cerr << "genq admin: " << token.error().message << "\n";
      return 1;
    }
    std::cout << boost::json::serialize(boost::json::object{{"token", *token}}) << std::endl;
    return 0;
  });
}

int admin_show_admin_token(const AdminStore& where) {
  return with_store(where, [](Store& store, const DataDir& dir, const Clock&) {
    // The same source as `genq serve`: created here if no server has started yet.
    auto token = admin_token(secret_source(dir, store));
    if (!token) {
      std::cerr << "genq admin: " << token.error().message << "\n";
      return 1;
    }
    std::cout << boost::json::serialize(boost::json::object{{"admin_token", *token}}) << std::endl;
    return 0;
  });
}

namespace {

// Prints `answer` as one JSON line, or the failure on stderr (exit 1).
template <class T, class Render>
int print_or_fail(const Result<T>& result, Render render) {
  if (!result) {
    std::cerr << "genq admin: " << result.error().message << "\n";
    return 1;
  }
  std::cout << boost::json::serialize(render(*result)) << std::endl;
  return 0;
}

Result<bool> as_result(Status status) {
  if (!status) return fail(status.error());
  return true;
}

}  // namespace

int admin_add_api_key(const AdminStore& where, const std::string& client_id) {
  return with_accounts(where, [&](AccountService& accounts) {
    return print_or_fail(accounts.add_api_key(client_id), [](const NewApiKey& key) {
      return boost::json::object{{"id", key.id}, {"api_key", key.key}};
    });
  });
}

int admin_list_api_keys(const AdminStore& where, const std::string& client_id) {
  return with_accounts(where, [&](AccountService& accounts) {
    return print_or_fail(accounts.store().list_api_keys(client_id), [](const std::vector<ApiKeyInfo>& keys) {
      boost::json::array data;
      for (const auto& key : keys) data.push_back(api::api_key_view(key));
      return boost::json::object{{"data", std::move(data)}};
    });
  });
}

int admin_revoke_api_key(const AdminStore& where, const std::string& client_id, const std::string& key_id) {
  return with_accounts(where, [&](AccountService& accounts) {
    return print_or_fail(as_result(accounts.store().revoke_api_key(client_id, key_id)),
                         [&](bool) { return boost::json::object{{"id", key_id}, {"revoked", true}}; });
  });
}

int admin_list_worker_tokens(const AdminStore& where) {
  return with_accounts(where, [&](AccountService& accounts) {
    return print_or_fail(accounts.store().list_worker_tokens(), [](const std::vector<WorkerToken>& tokens) {
      boost::json::array data;
      for (const auto& token : tokens) data.push_back(api::worker_token_view(token));
      return boost::json::object{{"data", std::move(data)}};
    });
  });
}

int admin_set_worker_token_disabled(const AdminStore& where, const std::string& token_id, bool disabled) {
  return with_accounts(where, [&](AccountService& accounts) {
    return print_or_fail(as_result(accounts.store().set_worker_token_disabled(token_id, disabled)),
                         [&](bool) { return boost::json::object{{"id", token_id}, {"disabled", disabled}}; });
  });
}

int admin_delete_worker_token(const AdminStore& where, const std::string& token_id) {
  return with_accounts(where, [&](AccountService& accounts) {
    return print_or_fail(as_result(accounts.store().delete_worker_token(token_id)),
                         [&](bool) { return boost::json::object{{"id", token_id}, {"deleted", true}}; });
  });
}

}  // namespace genq::app
