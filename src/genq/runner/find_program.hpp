#pragma once
// Finds a program the way posix_spawnp will: a name with a slash as it is, any other
// on PATH. Used to tell at start-up which exec models this machine can run. Reads
// the environment; thread-safe.
#include <filesystem>
#include <optional>
#include <string>

namespace genq::runner {

// The executable file `program` names; nullopt when there is none.
std::optional<std::filesystem::path> find_program(const std::string& program);

}  // namespace genq::runner
