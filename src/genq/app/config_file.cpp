#include "genq/app/config_file.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace genq::app {
namespace {

// Options that describe the parse itself, not a setting.
bool is_meta_option(const std::string& name) {
  return name == "help" || name == "config" || name == "print-config" || name == "version";
}

std::string normalized_key(std::string key) {
  std::replace(key.begin(), key.end(), '_', '-');
  return key;
}

std::string long_name(const CLI::Option& option) {
  return option.get_lnames().empty() ? std::string() : option.get_lnames().front();
}

// Whether `args` names `option` itself (--name, --name=value, -x, -xVALUE).
bool given_as_flag(const CLI::Option& option, const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    for (const std::string& name : option.get_lnames()) {
      const std::string flag = "--" + name;
      if (arg == flag || arg.starts_with(flag + "=")) return true;
    }
    for (const std::string& name : option.get_snames()) {
      if (arg.size() >= 2 && arg[0] == '-' && arg[1] != '-' && arg.substr(1, name.size()) == name) return true;
    }
  }
  return false;
}

bool set_in_environment(const CLI::Option& option) {
  const std::string& variable = option.get_envname();
  return !variable.empty() && std::getenv(variable.c_str()) != nullptr;
}

CLI::Option* find_option(CLI::App& command, const std::string& key) {
  CLI::Option* option = command.get_option_no_throw("--" + key);
  if (option == nullptr || is_meta_option(key)) return nullptr;
  return option;
}

// The subcommand of `command` called `name`, or nullptr.
CLI::App* subcommand_named(CLI::App& command, const std::string& name) {
  for (CLI::App* sub : command.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

// The command at `path` under `app`, or nullptr.
CLI::App* command_at(CLI::App& app, const std::vector<std::string>& path) {
  CLI::App* command = &app;
  for (const std::string& name : path) {
    command = subcommand_named(*command, name);
    if (command == nullptr) return nullptr;
  }
  return command;
}

// Whether some command under `app` has an option `key` (a top-level key shared by
// several commands, such as "data", is not an error for the ones without it).
bool any_command_has(CLI::App& app, const std::string& key) {
  if (find_option(app, key) != nullptr) return true;
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (any_command_has(*sub, key)) return true;
  }
  return false;
}

bool is_prefix(const std::vector<std::string>& prefix, const std::vector<std::string>& path) {
  return prefix.size() <= path.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

std::string joined(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

bool is_secret(const std::string& name) {
  return name.find("secret") != std::string::npos || name.find("token") != std::string::npos ||
         name.find("password") != std::string::npos;
}

// postgres://user:PASSWORD@host/db -> postgres://user:****@host/db
std::string without_url_password(const std::string& value) {
  const auto scheme = value.find("://");
  if (scheme == std::string::npos) return value;
  const auto at = value.find('@', scheme + 3);
  if (at == std::string::npos) return value;
  const auto colon = value.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return value;
  return value.substr(0, colon + 1) + "****" + value.substr(at);
}

std::string toml_string(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The first line (1-based) with a '#' inside a quoted value: CLI11's parser cuts a
// value at '#' even between quotes, which would shorten a password without a word.
std::optional<std::size_t> hash_inside_quotes(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  for (std::size_t number = 1; std::getline(lines, line); ++number) {
    char quote = 0;
    for (char c : line) {
      if (quote == 0 && c == '#') break;  // a comment
      if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (c == quote) {
        quote = 0;
      } else if (quote != 0 && c == '#') {
        return number;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Result<std::optional<std::string>> take_config_option(std::vector<std::string>& args) {
  std::optional<std::string> file;
  for (std::size_t i = 0; i < args.size();) {
    if (args[i] == "--config") {
      if (i + 1 >= args.size() || args[i + 1].empty()) {
        return fail(Error::invalid("--config needs a file: --config FILE"));
      }
      file = args[i + 1];
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
    } else if (args[i].starts_with("--config=")) {
      file = args[i].substr(std::string_view("--config=").size());
      if (file->empty()) return fail(Error::invalid("--config needs a file: --config FILE"));
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  return file;
}

std::vector<std::string> command_path(CLI::App& app, const std::vector<std::string>& args) {
  std::vector<std::string> path;
  CLI::App* command = &app;
  for (const std::string& arg : args) {
    if (command->get_subcommands([](CLI::App*) { return true; }).empty()) break;  // a leaf: the rest are its options
    if (arg.starts_with("-")) continue;  // genq and genq admin have only flags without values
    CLI::App* sub = subcommand_named(*command, arg);
    if (sub == nullptr) break;
    path.push_back(arg);
    command = sub;
  }
  return path;
}

Result<ConfigFileSettings> read_config_file(const std::string& file, CLI::App& app,
                                            const std::vector<std::string>& path,
                                            const std::vector<std::string>& args) {
  std::ifstream in(file);
  if (!in) return fail(Error::invalid("cannot read the config file " + file));
  std::stringstream text;
  text << in.rdbuf();
  if (auto hash = hash_inside_quotes(text.str())) {
    return fail(Error::invalid("config file " + file + ": line " + std::to_string(*hash) +
                               ": '#' inside a quoted value would be read as a comment; give that setting "
                               "by flag or GENQ_* environment variable"));
  }
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_config(text);
  } catch (const CLI::Error& e) {
    return fail(Error::invalid("config file " + file + ": " + e.what()));
  }
  CLI::App* command = command_at(app, path);
  ConfigFileSettings settings;
  if (command == nullptr) return settings;
  const std::string command_name = "genq " + joined(path, " ");
  for (const CLI::ConfigItem& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // section markers
    const std::string key = normalized_key(item.name);
    const std::string where = item.parents.empty() ? "" : " in [" + joined(item.parents, ".") + "]";
    if (!is_prefix(item.parents, path)) {
      if (command_at(app, item.parents) == nullptr) {
        return fail(Error::invalid("config file " + file + ": unknown section [" + joined(item.parents, ".") +
                                   "]; sections name a command: serve, worker, admin, admin.create-client, …"));
      }
      if (find_option(*command_at(app, item.parents), key) == nullptr) {
        return fail(Error::invalid("config file " + file + ": unknown key '" + item.name + "'" + where +
                                   " (`genq " + joined(item.parents, " ") + " --help` lists the flags)"));
      }
      continue;  // a setting of another command
    }
    CLI::Option* option = find_option(*command, key);
    if (option == nullptr) {
      if (item.parents.empty() && any_command_has(app, key)) continue;  // another command's key
      return fail(Error::invalid("config file " + file + ": unknown key '" + item.name + "'" + where + " (not a flag of " +
                                 command_name + "; `" + command_name + " --help` lists them)"));
    }
    if (given_as_flag(*option, args) || set_in_environment(*option)) continue;
    const std::string flag = "--" + long_name(*option);
    const bool is_flag = option->get_expected_min() == 0;
    if (is_flag && item.inputs.size() != 1) {
      return fail(Error::invalid("config file " + file + ": '" + item.name + "' is a switch: true or false"));
    }
    for (const std::string& value : item.inputs) settings.arguments.push_back(flag + "=" + value);
    settings.keys.insert(long_name(*option));
  }
  return settings;
}

std::string describe_settings(const CLI::App& command, const std::vector<std::string>& args,
                              const std::set<std::string>& from_file) {
  std::ostringstream out;
  for (const CLI::Option* option : command.get_options()) {
    const std::string name = long_name(*option);
    if (name.empty() || is_meta_option(name)) continue;
    std::string value = option->count() > 0 ? joined(option->results(), ",") : option->get_default_str();
    std::string source = "default";
    if (given_as_flag(*option, args)) {
      source = "flag";
    } else if (set_in_environment(*option)) {
      source = "environment " + option->get_envname();
    } else if (from_file.contains(name)) {
      source = "file";
    }
    if (is_secret(name) && !value.empty()) {
      value = "********";
    } else {
      value = without_url_password(value);
    }
    out << name << " = " << toml_string(value) << "  # " << source << "\n";
  }
  return out.str();
}

}  // namespace genq::app
