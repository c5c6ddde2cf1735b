#pragma once
// How the backend config parsers (exec_config.cpp, http_config.cpp) give up on a
// model's "backend" object: bad_config() throws from deep inside a parser, and the
// parser's parse_*_config entry point turns BadConfig into Error::invalid.
#include <string>

namespace genq::runner {

struct BadConfig {
  std::string message;
};

[[noreturn]] inline void bad_config(const std::string& message) { throw BadConfig{message}; }

}  // namespace genq::runner
