// deploy/: the Grafana dashboard and the Prometheus alert rules may only use metrics
// a real genq exports, with labels those metrics have: a renamed metric must fail
// here, not silently blank a panel or disarm an alert.
#include <boost/json/parse.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "integration/genq_test.hpp"
#include "support/prometheus_text.hpp"

namespace genq::testing {
namespace {

std::string deploy_file(const std::string& relative) {
  std::ifstream in(std::string(GENQ_SOURCE_DIR) + "/deploy/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every PromQL expression in the dashboard: panel targets and template queries.
void collect_dashboard_queries(const boost::json::value& value, std::vector<std::string>& out) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.as_object()) {
      if ((key == "expr" || key == "definition") && child.is_string()) out.emplace_back(child.as_string());
      collect_dashboard_queries(child, out);
    }
  } else if (value.is_array()) {
    for (const auto& child : value.as_array()) collect_dashboard_queries(child, out);
  }
}

// The rule file's expressions: each `expr:` value, folded (`>-`) ones included.
std::vector<std::string> rule_expressions(const std::string& yaml) {
  std::vector<std::string> out;
  std::istringstream lines(yaml);
  std::string line;
  bool folding = false;
  while (std::getline(lines, line)) {
    const auto at = line.find("expr:");
    if (at != std::string::npos) {
      std::string rest = line.substr(at + 5);
      folding = rest.find(">-") != std::string::npos;
      out.push_back(folding ? "" : rest);
      continue;
    }
    const bool indented_more = line.starts_with("          ");
    if (folding && indented_more) {
      out.back() += " " + line;
    } else {
      folding = false;
    }
  }
  return out;
}

// The family a series name belongs to (histograms' _bucket, _sum, _count).
const PromFamily* family_of_series(const PromText& text, const std::string& name) {
  if (const PromFamily* f = text.family(name)) return f;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    if (name.ends_with(suffix)) {
      const PromFamily* f = text.family(name.substr(0, name.size() - std::string(suffix).size()));
      if (f && f->type == "histogram") return f;
    }
  }
  return nullptr;
}

class DeployFiles : public GenqTest {
 protected:
  // Checks each metric selector in `expressions` against this server's /metrics.
  void check_expressions(const std::string& file, const std::vector<std::string>& expressions) {
    submit(requests().minimal("txt2img"));  // so request series exist
    const auto response = server().http().get("/metrics");
    ASSERT_EQ(response.status, 200) << response.describe();
    const PromText text = parse_prometheus_text(response.body);
    ASSERT_TRUE(text.errors.empty()) << text.describe_errors();
    const std::regex selector(R"((genq_[a-z0-9_]+)(\{([^}]*)\})?)");
    const std::regex matcher(R"(([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=))");
    std::set<std::string> used;
    for (const auto& expression : expressions) {
      for (auto it = std::sregex_iterator(expression.begin(), expression.end(), selector); it != std::sregex_iterator();
           ++it) {
        const std::string name = (*it)[1];
        used.insert(name);
        const PromFamily* family = family_of_series(text, name);
        if (!family) {
          ADD_FAILURE() << file << " uses " << name << ", which genq does not export:\n" << expression;
          continue;
        }
        const std::string labels = (*it)[3];
        for (auto m = std::sregex_iterator(labels.begin(), labels.end(), matcher); m != std::sregex_iterator(); ++m) {
          const std::string label = (*m)[1];
          if (label == "instance" || label == "job") continue;  // added by Prometheus at scrape
          bool present = false;
          for (const auto& s : family->samples) present = present || s.labels.contains(label);
          EXPECT_TRUE(present) << file << " selects " << name << " by label " << label << ", which it does not have";
        }
      }
    }
    EXPECT_GE(used.size(), 3u) << file << ": no metrics found in it (is the file there?)";
  }
};

TEST_F(DeployFiles, TheGrafanaDashboardUsesOnlyExportedMetrics) {
  const std::string text = deploy_file("grafana/genq-dashboard.json");
  boost::system::error_code ec;
  const boost::json::value dashboard = boost::json::parse(text, ec);
  ASSERT_FALSE(ec) << "deploy/grafana/genq-dashboard.json is not JSON: " << ec.message();
  std::vector<std::string> queries;
  collect_dashboard_queries(dashboard, queries);
  EXPECT_GE(queries.size(), 20u);
  check_expressions("genq-dashboard.json", queries);
}

TEST_F(DeployFiles, TheAlertRulesUseOnlyExportedMetrics) {
  const std::string yaml = deploy_file("prometheus/genq-alerts.yml");
  const auto expressions = rule_expressions(yaml);
  ASSERT_GE(expressions.size(), 3u) << "no rules read from deploy/prometheus/genq-alerts.yml";
  for (const char* alert : {"GenqQueueStalled", "GenqNoWorkersForModel", "GenqWebhookFailureRate"}) {
    EXPECT_NE(yaml.find("alert: " + std::string(alert)), std::string::npos) << "no alert " << alert;
  }
  for (const auto& e : expressions) EXPECT_NE(e.find("genq_"), std::string::npos) << "an expression without a metric";
  check_expressions("genq-alerts.yml", expressions);
}

}  // namespace
}  // namespace genq::testing
