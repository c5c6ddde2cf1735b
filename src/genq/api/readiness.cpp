#include "genq/api/readiness.hpp"

#include <optional>
#include <string>

namespace genq::api {
namespace {

struct Check {
  const char* name;   // key in "checks"
  const char* label;  // how "message" names it
  bool required;
  std::optional<std::string> problem;  // nullopt: ok
  std::string detail;
};

// A job id no job has: the lookup reaches the database (not a cache) and answers
// NotFound when the store works.
constexpr const char* kProbeJobId = "00000000-0000-0000-0000-000000000000";

Check store_check(Services& services) {
  Check check{"store", "store", true, std::nullopt, ""};
  auto job = services.jobs.get(kProbeJobId);
  if (!job && job.error().kind != ErrorKind::NotFound) check.problem = job.error().message;
  return check;
}

Check bus_check(Services& services) {
  const BusHealth health = services.bus.health();
  Check check{"bus", "event bus", true, std::nullopt, health.detail};
  if (!health.ready) check.problem = health.detail;
  return check;
}

Check blob_check(Services& services) {
  BlobStore& blobs = services.jobs.blobs();
  Check check{"blobs", "blob store", true, std::nullopt, blobs.describe()};
  if (auto usable = blobs.check(); !usable) check.problem = usable.error().message;
  return check;
}

Check webhook_check(Services& services) {
  Check check{"webhooks", "webhook engine", false, std::nullopt, "running"};
  if (services.options.webhook_engine_problem) {
    check.problem = services.options.webhook_engine_problem();
    if (check.problem) check.detail = *check.problem;
  }
  return check;
}

}  // namespace

Readiness check_readiness(Services& services) {
  const Check checks[] = {store_check(services), bus_check(services), blob_check(services),
                          webhook_check(services)};
  Readiness readiness;
  boost::json::object reported;
  std::string message;
  bool ready = true;
  for (const Check& check : checks) {
    boost::json::object entry{{"status", check.problem ? "failing" : "ok"}, {"required", check.required}};
    if (check.problem) {
      entry["detail"] = *check.problem;
    } else if (!check.detail.empty()) {
      entry["detail"] = check.detail;
    }
    reported[check.name] = std::move(entry);
    if (check.problem && check.required) {
      ready = false;
      if (!message.empty()) message += "; ";
      message += std::string(check.label) + ": " + *check.problem;
    }
  }
  readiness.status = ready ? 200 : 503;
  readiness.body["status"] = ready ? "ready" : "unavailable";
  readiness.body["checks"] = std::move(reported);
  readiness.body["bus"] = checks[1].detail;
  if (!ready) readiness.body["message"] = message;
  return readiness;
}

}  // namespace genq::api
