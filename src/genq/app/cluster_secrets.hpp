#pragma once
// Where a node finds the secrets every node of a cluster must agree on: the admin
// token, the URL-signing key and the Pusher app credentials not given by flag.
//   - SQLite store (one node): files under --data, created on first start (data_dir.hpp).
//   - Shared store (PostgreSQL): its cluster_secrets table. The first node to start
//     creates each secret, the others read it. A node moving from SQLite to a shared
//     store brings its files' values along when it is the first: existing tokens and
//     signed URLs stay valid.
#include <functional>
#include <string>

#include "genq/app/data_dir.hpp"
#include "genq/core/error.hpp"
#include "genq/store/store.hpp"

namespace genq::app {

// The secret `name` (a file name under --data, or a row of the shared store); `make`
// creates its value when nobody has one yet.
using SecretSource =
    std::function<Result<std::string>(const std::string& name, const std::function<std::string()>& make)>;

// Borrows `dir` (its root may be empty: no data directory) and `store`, which must
// outlive the source.
SecretSource secret_source(const DataDir& dir, Store& store);

// The admin token: GENQ_ADMIN_TOKEN when set, else the source's "admin-token".
Result<std::string> admin_token(const SecretSource& secrets);

}  // namespace genq::app
