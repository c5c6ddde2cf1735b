#include "support/postgres_server.hpp"

#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "support/free_port.hpp"
#include "support/wait.hpp"

namespace genq::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSuperuser = "genq";

std::filesystem::path binary_dir() {
  if (const char* dir = std::getenv("GENQ_PG_BIN"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return "/usr/lib/postgresql/15/bin";
}

// The command prefix that runs a server binary as `postgres` when we are root.
std::vector<std::string> run_as_prefix() {
  if (geteuid() != 0) {
    return {};
  }
  return {"setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"};
}

void hand_to_postgres_user(const std::filesystem::path& dir) {
  if (geteuid() != 0) {
    return;
  }
  const passwd* user = getpwnam("postgres");
  if (user == nullptr) {
    throw std::runtime_error(
        "running as root, but there is no `postgres` user to run the test cluster as "
        "(install Debian's postgresql package: scripts/install-deps.sh)");
  }
  if (chown(dir.c_str(), user->pw_uid, user->pw_gid) != 0) {
    throw std::runtime_error("cannot chown " + dir.string() + " to postgres");
  }
}

// An initdb'ed cluster, made once per user and kept in the temporary directory: a
// fresh initdb costs seconds, a copy of its result a fraction of that, and ctest runs
// every test in a process of its own. Made in a scratch directory and renamed into
// place, so processes starting at once never see half of one.
std::filesystem::path cluster_template(const std::filesystem::path& bin) {
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path root = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  const std::filesystem::path ready = root / ("genq-pg-template-" + std::to_string(geteuid()) + "-15");
  if (std::filesystem::exists(ready / "PG_VERSION")) {
    return ready;
  }
  const std::filesystem::path scratch = root / ("genq-pg-template-" + std::to_string(getpid()) + ".tmp");
  std::filesystem::remove_all(scratch);
  std::filesystem::create_directories(scratch);
  hand_to_postgres_user(scratch);
  const std::filesystem::path data = scratch / "data";
  std::vector<std::string> initdb = run_as_prefix();
  for (const std::string& arg :
       {(bin / "initdb").string(), std::string("-D"), data.string(), std::string("-U"), std::string(kSuperuser),
        std::string("--auth=trust"), std::string("-E"), std::string("UTF8"), std::string("--no-sync")}) {
    initdb.push_back(arg);
  }
  CommandResult init = run_command(initdb, 120s);
  if (init.exit_code != 0) {
    std::filesystem::remove_all(scratch);
    throw std::runtime_error("initdb failed (exit " + std::to_string(init.exit_code) + "): " + init.out + init.err);
  }
  std::error_code ec;
  std::filesystem::rename(data, ready, ec);  // fails harmlessly when another process won
  std::filesystem::remove_all(scratch);
  if (!std::filesystem::exists(ready / "PG_VERSION")) {
    throw std::runtime_error("cannot make the cluster template " + ready.string() + ": " + ec.message());
  }
  return ready;
}

}  // namespace

PostgresServer::PostgresServer() {
  const std::filesystem::path bin = binary_dir();
  for (const char* tool : {"initdb", "postgres"}) {
    if (!std::filesystem::exists(bin / tool)) {
      throw std::runtime_error("PostgreSQL server binary " + (bin / tool).string() +
                               " is missing: install Debian's postgresql package (scripts/install-deps.sh), "
                               "or point GENQ_PG_BIN at a PostgreSQL 15 bin directory");
    }
  }
  hand_to_postgres_user(dir_.path());
  const std::string data = dir_.file("data");
  // cp -a keeps the owner (postgres) and the 0700 mode the server insists on.
  CommandResult copied = run_command({"cp", "-a", cluster_template(bin).string(), data}, 120s);
  if (copied.exit_code != 0) {
    throw std::runtime_error("cannot copy the cluster template: " + copied.out + copied.err);
  }

  port_ = free_port();
  std::vector<std::string> postgres = run_as_prefix();
  for (const std::string& arg :
       {(bin / "postgres").string(), std::string("-D"), data, std::string("-p"), std::to_string(port_),
        std::string("-k"), dir_.path().string(), std::string("-c"), std::string("listen_addresses=127.0.0.1"),
        std::string("-c"), std::string("max_connections=300"), std::string("-c"), std::string("fsync=off"),
        std::string("-c"), std::string("synchronous_commit=off"), std::string("-c"),
        std::string("full_page_writes=off")}) {
    postgres.push_back(arg);
  }
  // setpriv execs postgres, so the child's pid is the postmaster's: SIGINT reaches it.
  postmaster_ = std::make_unique<ChildProcess>(postgres);
  const std::string conninfo = dsn("postgres");
  const bool ready = wait_until(60s, [&] { return !postmaster_->running() || PQping(conninfo.c_str()) == PQPING_OK; });
  if (!ready || !postmaster_->running()) {
    const std::string output = postmaster_->output();
    postmaster_.reset();
    throw std::runtime_error(std::string(ready ? "postgres exited at start: " : "postgres not ready in 60 s: ") +
                             output);
  }
}

PostgresServer::~PostgresServer() {
  if (postmaster_ && postmaster_->running()) {
    // SIGINT is PostgreSQL's fast shutdown: sessions are ended, nothing is kept waiting.
    postmaster_->kill(SIGINT);
    (void)postmaster_->wait_exit(30s);
  }
  postmaster_.reset();  // SIGKILLs it if it still runs
}

PostgresServer& PostgresServer::shared() {
  static std::unique_ptr<PostgresServer> server;
  if (!server) {
    server = std::make_unique<PostgresServer>();
  }
  return *server;
}

std::string PostgresServer::dsn(const std::string& database) const {
  return "postgres://" + std::string(kSuperuser) + "@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::create_database() {
  const std::string name = "test_" + std::to_string(getpid()) + "_" + std::to_string(++databases_created_);
  PGconn* connection = PQconnectdb(dsn("postgres").c_str());
  std::string error;
  if (PQstatus(connection) != CONNECTION_OK) {
    error = PQerrorMessage(connection);
  } else {
    PGresult* result = PQexec(connection, ("CREATE DATABASE " + name).c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
      error = PQresultErrorMessage(result);
    }
    PQclear(result);
  }
  PQfinish(connection);
  if (!error.empty()) {
    throw std::runtime_error("CREATE DATABASE " + name + " failed: " + error);
  }
  return dsn(name);
}

}  // namespace genq::testing
