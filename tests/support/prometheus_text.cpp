#include "support/prometheus_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

namespace genq::testing {
namespace {

bool is_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool is_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Go's ParseFloat spellings Prometheus accepts, strictly: no spaces, no hex.
std::optional<double> parse_value(std::string_view text) {
  if (text == "+Inf" || text == "Inf") return HUGE_VAL;
  if (text == "-Inf") return -HUGE_VAL;
  if (text == "NaN") return std::nan("");
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct Parser {
  PromText out;
  int line_number = 0;
  std::string current;  // the family whose samples may follow
  std::set<std::string> finished;  // families whose samples ended
  std::set<std::string> series;    // NAME{sorted labels}

  void error(const std::string& why) { out.errors.push_back("line " + std::to_string(line_number) + ": " + why); }

  // Which family a sample name belongs to, given the declared types.
  std::string family_of(const std::string& name) const {
    if (out.families.contains(name)) return name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string_view s(suffix);
      if (name.size() > s.size() && std::string_view(name).ends_with(s)) {
        std::string base = name.substr(0, name.size() - s.size());
        auto it = out.families.find(base);
        if (it != out.families.end() && it->second.type == "histogram") return base;
      }
    }
    return "";
  }

  void comment(std::string_view line) {
    const bool help = line.starts_with("# HELP ");
    const bool type = line.starts_with("# TYPE ");
    if (!help && !type) return;  // a plain comment
    std::string_view rest = line.substr(7);
    const auto space = rest.find(' ');
    const std::string name(rest.substr(0, space));
    const std::string_view text = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    if (!is_metric_name(name)) return error("bad metric name in " + std::string(line));
    if (finished.contains(name)) return error("family " + name + " declared again after its samples");
    if (current != name && !current.empty()) finished.insert(current);
    current = name;
    PromFamily& family = out.families[name];
    family.name = name;
    if (help) {
      if (!family.help.empty()) return error("second HELP for " + name);
      if (text.empty()) return error("empty HELP for " + name);
      if (!family.samples.empty()) return error("HELP after samples of " + name);
      family.help = std::string(text);
    } else {
      if (!family.type.empty()) return error("second TYPE for " + name);
      if (text != "counter" && text != "gauge" && text != "histogram") {
        return error("TYPE of " + name + " is '" + std::string(text) + "' (counter, gauge or histogram)");
      }
      if (!family.samples.empty()) return error("TYPE after samples of " + name);
      family.type = std::string(text);
      if (family.type == "counter" && !name.ends_with("_total")) error("counter " + name + " does not end in _total");
    }
  }

  void sample(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    PromSample s;
    s.name = std::string(line.substr(0, i));
    if (!is_metric_name(s.name)) return error("bad metric name '" + s.name + "'");
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (true) {
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        std::size_t eq = line.find('=', i);
        if (eq == std::string_view::npos) return error("unterminated label set");
        const std::string key(line.substr(i, eq - i));
        if (!is_label_name(key)) return error("bad label name '" + key + "'");
        i = eq + 1;
        if (i >= line.size() || line[i] != '"') return error("label value of " + key + " not quoted");
        ++i;
        std::string value;
        bool closed = false;
        while (i < line.size()) {
          const char c = line[i++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\') {
            if (i >= line.size()) break;
            const char e = line[i++];
            if (e == '\\' || e == '"') {
              value += e;
            } else if (e == 'n') {
              value += '\n';
            } else {
              return error(std::string("bad escape \\") + e + " in label " + key);
            }
          } else {
            value += c;
          }
        }
        if (!closed) return error("unterminated label value of " + key);
        if (!s.labels.emplace(key, value).second) return error("label " + key + " twice in one set");
        if (i < line.size() && line[i] == ',') {
          ++i;
        } else if (i >= line.size() || line[i] != '}') {
          return error("expected , or } after label " + key);
        }
      }
    }
    if (i >= line.size() || line[i] != ' ') return error("no value after " + s.name);
    std::string_view rest = line.substr(i + 1);
    const auto space = rest.find(' ');
    auto value = parse_value(rest.substr(0, space));
    if (!value) return error("bad value '" + std::string(rest.substr(0, space)) + "' of " + s.name);
    if (space != std::string_view::npos) {
      std::int64_t timestamp = 0;
      std::string_view ts = rest.substr(space + 1);
      auto [end, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), timestamp);
      if (ec != std::errc() || end != ts.data() + ts.size()) return error("bad timestamp after " + s.name);
    }
    s.value = *value;

    const std::string family_name = family_of(s.name);
    if (family_name.empty()) return error("sample " + s.name + " of no declared family");
    if (family_name != current) return error("sample " + s.name + " outside its family's block");
    PromFamily& family = out.families[family_name];
    if (family.type.empty()) return error("sample " + s.name + " before the TYPE of " + family_name);
    if (family.type == "histogram") {
      if (s.name == family_name) return error("histogram " + family_name + " has a bare sample");
      if (s.name.ends_with("_bucket") != s.labels.contains("le")) {
        return error(s.name + ": le belongs on _bucket samples only");
      }
    }
    if (family.type == "counter" && (s.value < 0 || std::isnan(s.value))) error("counter " + s.name + " below 0");
    std::string key = s.name + "{";
    for (const auto& [k, v] : s.labels) key += k + "=\"" + v + "\",";
    key += "}";
    if (!series.insert(key).second) return error("duplicate series " + key);
    family.samples.push_back(std::move(s));
  }

  void check_histogram(const PromFamily& family) {
    // Group by the label set without `le`.
    std::map<std::map<std::string, std::string>, std::vector<const PromSample*>> buckets;
    std::map<std::map<std::string, std::string>, double> sums, counts;
    for (const auto& s : family.samples) {
      auto labels = s.labels;
      labels.erase("le");
      if (s.name == family.name + "_bucket") {
        buckets[labels].push_back(&s);
      } else if (s.name == family.name + "_sum") {
        sums[labels] = s.value;
      } else {
        counts[labels] = s.value;
      }
    }
    auto describe = [&](const std::map<std::string, std::string>& labels) {
      std::string out = family.name + "{";
      for (const auto& [k, v] : labels) out += k + "=" + v + ",";
      return out + "}";
    };
    for (const auto& [labels, list] : buckets) {
      double last_le = -HUGE_VAL, last_count = 0;
      for (const PromSample* b : list) {
        auto le = parse_value(b->labels.at("le"));
        if (!le || std::isnan(*le)) {
          out.errors.push_back(describe(labels) + ": bad le " + b->labels.at("le"));
          continue;
        }
        if (*le <= last_le) out.errors.push_back(describe(labels) + ": le not increasing at " + b->labels.at("le"));
        if (b->value < last_count) {
          out.errors.push_back(describe(labels) + ": bucket counts fall at le=" + b->labels.at("le"));
        }
        last_le = *le;
        last_count = b->value;
      }
      if (!std::isinf(last_le) || last_le < 0) out.errors.push_back(describe(labels) + ": last bucket is not +Inf");
      if (!sums.contains(labels)) out.errors.push_back(describe(labels) + ": no _sum");
      if (!counts.contains(labels)) {
        out.errors.push_back(describe(labels) + ": no _count");
      } else if (counts[labels] != last_count) {
        out.errors.push_back(describe(labels) + ": _count " + std::to_string(counts[labels]) + " but +Inf bucket " +
                             std::to_string(last_count));
      }
    }
    for (const auto& [labels, value] : counts) {
      if (!buckets.contains(labels)) out.errors.push_back(describe(labels) + ": _count without buckets");
    }
  }
};

}  // namespace

std::vector<const PromSample*> PromFamily::find(std::string_view sample_name,
                                                const std::map<std::string, std::string>& labels) const {
  std::vector<const PromSample*> found;
  for (const auto& s : samples) {
    if (s.name != sample_name) continue;
    bool all = true;
    for (const auto& [k, v] : labels) {
      auto it = s.labels.find(k);
      if (it == s.labels.end() || it->second != v) all = false;
    }
    if (all) found.push_back(&s);
  }
  return found;
}

std::optional<double> PromFamily::value(std::string_view sample_name,
                                        const std::map<std::string, std::string>& labels) const {
  auto found = find(sample_name, labels);
  if (found.size() != 1) return std::nullopt;
  return found.front()->value;
}

const PromFamily* PromText::family(std::string_view name) const {
  auto it = families.find(std::string(name));
  return it == families.end() ? nullptr : &it->second;
}

std::string PromText::describe_errors() const {
  std::string out;
  for (const auto& e : errors) out += e + "\n";
  return out;
}

PromText parse_prometheus_text(std::string_view text) {
  Parser parser;
  if (!text.empty() && !text.ends_with('\n')) parser.out.errors.push_back("the text does not end with a line break");
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++parser.line_number;
    if (line.empty()) continue;
    if (line.starts_with('#')) {
      parser.comment(line);
    } else {
      parser.sample(line);
    }
  }
  for (const auto& [name, family] : parser.out.families) {
    if (family.help.empty()) parser.out.errors.push_back(name + ": no HELP");
    if (family.type.empty()) parser.out.errors.push_back(name + ": no TYPE");
    if (family.type == "histogram") parser.check_histogram(family);
  }
  return parser.out;
}

}  // namespace genq::testing
