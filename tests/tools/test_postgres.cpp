// Starts one throwaway PostgreSQL cluster for a whole test run (scripts/run-tests.sh):
// prints "port N" once it accepts connections, holds it until SIGTERM or SIGINT, then
// stops it. Test processes given GENQ_TEST_POSTGRES_PORT use it instead of each
// starting their own (support/postgres_server.hpp).
#include <signal.h>
#include <unistd.h>

#include <exception>
#include <iostream>

#include "support/postgres_server.hpp"

int main() {
  // Wait for the end in sigwait, so the server's destructor runs on the way out.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  try {
    genq::testing::PostgresServer server;
    std::cout << "port " << server.port() << std::endl;
    int signal = 0;
    sigwait(&stop, &signal);
  } catch (const std::exception& e) {
    std::cerr << "test-postgres: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
