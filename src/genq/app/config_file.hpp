#pragma once
// The --config file: TOML or INI whose keys are named like the flags ("listen",
// "max-connections"; "max_connections" too). Keys at the top level apply to whichever
// command runs; a section ([serve], [worker], [admin] or [admin.create-client]) applies
// to its command only, so one file can serve several commands. A key no genq command
// has, or a section naming no command, is an error that names it: a typo must not make
// a setting vanish.
//
// Precedence, highest first: a flag on the command line, its GENQ_* environment
// variable, the file, the default. The file is read by CLI11's TOML/INI parser; genq
// decides here which keys apply and turns them into arguments, because CLI11 itself
// only reads sections and lets the file override the environment.
#include <CLI/CLI.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "genq/core/error.hpp"

namespace genq::app {

// Removes "--config FILE" or "--config=FILE" from `args` (argv without the program
// name), wherever it stands: before the subcommand or after it. Returns FILE, nullopt
// when absent; invalid when the flag has no value.
Result<std::optional<std::string>> take_config_option(std::vector<std::string>& args);

// The subcommand `args` runs: {"serve"}, {"admin", "create-client"}; empty if none.
std::vector<std::string> command_path(CLI::App& app, const std::vector<std::string>& args);

// What a config file adds to the command line of `path`'s command.
struct ConfigFileSettings {
  std::vector<std::string> arguments;  // "--key=value", one per value, for the keys that apply
  std::set<std::string> keys;          // the options they set (long names without dashes)
};

// Reads `file` for the command at `path` of `app`. `args` is the command line as given
// (a flag there, or a set environment variable, wins over the file).
Result<ConfigFileSettings> read_config_file(const std::string& file, CLI::App& app,
                                            const std::vector<std::string>& path,
                                            const std::vector<std::string>& args);

// Every setting of `command` after parsing, one "key = value  # source" line each
// (source: flag, environment GENQ_X, file, default); secrets and URL passwords masked.
// The output is itself a valid config file.
std::string describe_settings(const CLI::App& command, const std::vector<std::string>& args,
                              const std::set<std::string>& from_file);

}  // namespace genq::app
