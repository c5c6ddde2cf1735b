#pragma once
// A throwaway PostgreSQL cluster for tests: a copy of an initdb-made template in a
// temporary directory (the template is made once per user, see cluster_template), postgres
// on a free 127.0.0.1 port, stopped (SIGINT, then waited for) when the object goes.
// Durability is switched off (fsync, synchronous_commit): a test cluster never
// outlives its process, and the tests measure behaviour, not disks.
//
// As root (CI containers), PostgreSQL refuses to run: the cluster then runs as the
// `postgres` user through setpriv, in a directory chowned to it.
//
// Not thread-safe; shared() hands out one cluster per test process, started on first
// use, and each test takes a fresh database from it (create_database), so tests stay
// independent without paying for an initdb each.
#include <cstdint>
#include <memory>
#include <string>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace genq::testing {

class PostgresServer {
 public:
  // The binaries come from $GENQ_PG_BIN, else Debian's /usr/lib/postgresql/15/bin.
  // Throws std::runtime_error saying what is missing or what the server printed when
  // it does not come up within 60 s.
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // This process's cluster, started on the first call. Throws as the constructor.
  static PostgresServer& shared();

  std::uint16_t port() const { return port_; }
  // postgres://genq@127.0.0.1:PORT/DATABASE
  std::string dsn(const std::string& database) const;
  // Creates an empty database with a name unique in this process; returns its DSN.
  // Throws std::runtime_error if the server refuses.
  std::string create_database();

 private:
  TempDir dir_{"genq-pg"};
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> postmaster_;
  int databases_created_ = 0;
};

}  // namespace genq::testing
