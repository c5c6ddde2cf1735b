// Logs an operator can join (docs/operations.md, "Logs"): every answer carries an
// X-Request-Id (the client's when usable, else genq's), `--access-log` writes a line per
// request, and `--log-format json` makes every log line a JSON object with the
// request id of the request it is about.
#include <boost/json/parse.hpp>

#include <set>
#include <sstream>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class RequestLogs : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override { return {"--log-format", "json", "--access-log"}; }

  // Every log line but the listening line, parsed; fails the test on one that is not a
  // JSON object.
  std::vector<boost::json::object> log_lines() const {
    std::vector<boost::json::object> lines;
    std::istringstream in(server().logs());
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line.starts_with("listening on ")) continue;
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(line, ec);
      EXPECT_FALSE(ec) << "not a JSON line: " << line;
      if (!ec && v.is_object()) lines.push_back(v.as_object());
    }
    return lines;
  }

  // The access lines logged for `request_id` (waits up to 5 s: logs are written as
  // answers go out).
  std::vector<boost::json::object> lines_for(const std::string& request_id) const {
    std::vector<boost::json::object> found;
    wait_until(5s, [&] {
      found.clear();
      for (auto& line : log_lines()) {
        if (line.contains("request_id") && line.at("request_id").as_string() == request_id) found.push_back(line);
      }
      return !found.empty();
    });
    return found;
  }
};

TEST_F(RequestLogs, AClientsRequestIdComesBackAndNamesItsLogLine) {
  const std::string id = "trace-7f3a.9:b";
  const HttpResponse answer = api().get("/api/v1/client/request-status/00000000-0000-4000-8000-000000000000",
                                        {{"X-Request-Id", id}});
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(answer.header("X-Request-Id"), id);
  const auto lines = lines_for(id);
  ASSERT_EQ(lines.size(), 1u) << server().logs();
  const std::string msg(lines[0].at("msg").as_string());
  EXPECT_NE(msg.find("GET /api/v1/client/request-status/"), std::string::npos) << msg;
  EXPECT_NE(msg.find(" 404 "), std::string::npos) << msg;
  EXPECT_EQ(lines[0].at("level").as_string(), "info");
  EXPECT_TRUE(lines[0].contains("time"));
}

TEST_F(RequestLogs, WithoutAUsableIdGenqMakesAFreshOneForEachRequest) {
  std::set<std::string> ids;
  for (const Headers& headers : std::vector<Headers>{{}, {}, {{"X-Request-Id", "has spaces and \"quotes\""}},
                                                     {{"X-Request-Id", std::string(129, 'a')}}}) {
    const HttpResponse answer = server().http().get("/healthz", headers);
    ASSERT_EQ(answer.status, 200);
    const auto id = answer.header("X-Request-Id");
    ASSERT_TRUE(id && !id->empty());
    EXPECT_EQ(id->find(' '), std::string::npos) << *id;
    ids.insert(*id);
  }
  EXPECT_EQ(ids.size(), 4u) << "each request its own id";
  for (const std::string& id : ids) EXPECT_EQ(lines_for(id).size(), 1u) << id;
}

TEST_F(RequestLogs, EveryLineOfARunIsJson) {
  const std::string id = submit(requests().minimal("txt2img"));
  finish_by_hand(id);
  const auto lines = log_lines();
  EXPECT_GE(lines.size(), 5u) << "start-up, submit, claim, upload, complete";
  for (const auto& line : lines) {
    EXPECT_TRUE(line.contains("time") && line.contains("level") && line.contains("msg")) << boost::json::serialize(line);
  }
}

TEST_F(RequestLogs, AWorkerLogsJsonLinesToo) {
  const std::string id = submit(requests().minimal("txt2img"));
  auto worker = server().start_worker({"--log-format", "json", "--step-delay-ms", "0"});
  ASSERT_TRUE(poll_status(api(), id, status_is("done"), kJobDeadline));
  worker->kill(SIGTERM);
  ASSERT_TRUE(worker->wait_exit(20s));
  std::istringstream in(worker->output());
  int lines = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << "not a JSON line: " << line;
    ASSERT_TRUE(v.is_object() && v.as_object().contains("msg") && v.as_object().contains("level")) << line;
    ++lines;
  }
  EXPECT_GE(lines, 2) << "the worker said nothing: " << worker->output();
}

// The submit's id is carried into the job: the server's lines about the job's lease and
// completion and the worker's lines about running it all carry it, and the worker
// sends it back as X-Request-Id on its calls (docs/operations.md, "Logs").
TEST_F(RequestLogs, AJobsLinesOnServerAndWorkerCarryTheSubmitsRequestId) {
  const std::string trace = "trace-job.42";
  const std::string id = submit(requests().minimal("txt2img"), {{"X-Request-Id", trace}});
  auto worker = server().start_worker({"--log-format", "json", "--step-delay-ms", "0"});
  ASSERT_TRUE(poll_status(api(), id, status_is("done"), kJobDeadline));
  worker->kill(SIGTERM);
  ASSERT_TRUE(worker->wait_exit(20s));

  auto messages_for = [&](const std::vector<boost::json::object>& lines) {
    std::vector<std::string> found;
    for (const auto& line : lines) {
      const std::string msg(line.at("msg").as_string());
      // The lines about the job itself (not the access lines of status polls naming it).
      if (!msg.starts_with("job " + id)) continue;
      EXPECT_TRUE(line.contains("request_id")) << msg;
      if (line.contains("request_id")) {
        EXPECT_EQ(line.at("request_id").as_string(), trace) << msg;
      }
      found.push_back(msg);
    }
    return found;
  };
  std::vector<boost::json::object> worker_lines;
  std::istringstream in(worker->output());
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    if (!ec && v.is_object()) worker_lines.push_back(v.as_object());
  }
  const auto on_worker = messages_for(worker_lines);
  EXPECT_GE(on_worker.size(), 2u) << "claimed and done: " << worker->output();

  // The server logs the completion as it answers; wait for that line, then check all.
  ASSERT_TRUE(wait_until(5s, [&] { return server().logs().find("job " + id + " done") != std::string::npos; }))
      << server().logs();
  const auto on_server = messages_for(log_lines());
  bool leased = false;
  bool done = false;
  for (const auto& msg : on_server) {
    leased = leased || msg.find("leased to") != std::string::npos;
    done = done || msg == "job " + id + " done";
  }
  EXPECT_TRUE(leased && done) << server().logs();

  const HttpResponse view = server().admin_http().get("/api/v1/admin/jobs/" + id);
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_EQ(boost::json::parse(view.body).at("data").at("submit_request_id").as_string(), trace);
}

}  // namespace
}  // namespace genq::testing
