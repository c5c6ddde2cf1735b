// Exec and http backends configured in a catalog of the test's own (the shipped one
// plus a few models), served by the real binaries: a failing tool's stderr becomes
// the job's error, cancelling a job kills the tool's process group, and http models
// reach a small inference server the test runs (file and JSON answers, progress).
#include <signal.h>

#include <boost/json.hpp>

#include <fstream>

#include "integration/genq_test.hpp"
#include "support/fake_model_server.hpp"

namespace genq::testing {
namespace {

std::optional<pid_t> read_pid(const std::string& file) {
  std::ifstream in(file);
  pid_t pid = 0;
  return (in >> pid && pid > 0) ? std::optional<pid_t>(pid) : std::nullopt;
}

bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) {
    return true;
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_text, name, state;
  return !(stat >> pid_text >> name >> state) || state == "Z";  // a zombie no one reaps runs no more
}

boost::json::value model(const std::string& name, const std::string& task, boost::json::array params,
                         boost::json::object backend) {
  return boost::json::object{{"name", name},
                             {"aliases", boost::json::array{}},
                             {"inference_types", boost::json::array{task.c_str()}},
                             {"parameters", std::move(params)},
                             {"pricing", boost::json::object{{"base", 0.001}}},
                             {"backend", std::move(backend)}};
}

boost::json::value param(const std::string& name, const std::string& type, bool required) {
  return boost::json::object{{"name", name}, {"type", type}, {"required", required}};
}

// The shipped catalog plus the test's models, written before the server starts.
class CustomBackends : public GenqTest {
 protected:
  CustomBackends() {
    auto doc = boost::json::parse(read_file(catalog_path()));
    auto& models = doc.as_object().at("models").as_array();
    const std::string tool_fails =
        "echo 'loading voice' ; echo 'warming up' >&2; echo \"voice model not found: $1\" >&2; exit 7";
    models.push_back(model("ToolFails", "txt2audio", {param("text", "string", true)},
                           {{"type", "exec"}, {"argv", {"sh", "-c", tool_fails, "sh", "{text}"}}, {"output", "x.wav"}}));
    const std::string tool_sleeps = "sleep 300 & echo $! > \"$1.helper\"; echo $$ > \"$1.tool\"; wait";
    models.push_back(model("ToolSleeps", "txt2audio", {param("text", "string", true)},
                           {{"type", "exec"}, {"argv", {"sh", "-c", tool_sleeps, "sh", "{text}"}}, {"output", "x.wav"}}));
    models.push_back(model("HttpImage", "txt2img",
                           {param("prompt", "string", true), param("width", "integer", true),
                            param("height", "integer", true)},
                           {{"type", "http"},
                            {"url", model_server_.base_url() + "/image"},
                            {"body", {{"prompt", "{prompt}"}, {"width", "{width}"}, {"height", "{height}"},
                                      {"size", "{width}x{height}"}}}}));
    models.push_back(model("HttpText", "img2txt", {param("image", "file", true)},
                           {{"type", "http"},
                            {"url", model_server_.base_url() + "/text"},
                            {"inputs", "base64"},
                            {"result_pointer", "/text"},
                            {"progress_url", model_server_.base_url() + "/progress/{job_id}"},
                            {"progress_interval_ms", 100}}));
    models.push_back(model("HttpFails", "txt2img", {param("prompt", "string", true)},
                           {{"type", "http"}, {"url", model_server_.base_url() + "/fail"}}));
    write_file(catalog_.file("models.json"), boost::json::serialize(doc));
  }

  // Short leases: a cancelled job's worker hears of it within half a second.
  std::vector<std::string> server_args() const override {
    return {"--catalog", catalog_.file("models.json"), "--lease-ms", "1500"};
  }

  std::unique_ptr<ChildProcess> start_worker(const std::string& model) {
    return server().start_worker(
        {"--backend", "catalog", "--catalog", catalog_.file("models.json"), "--models", model});
  }

  std::string submit_fields(const std::string& task, boost::json::object fields, std::vector<FilePart> files = {}) {
    return submit(JobRequest{task, std::string(fields.at("model").as_string()), std::move(fields), std::move(files)});
  }

  TempDir catalog_{"genq-test-catalog"};
  FakeModelServer model_server_;
};

TEST_F(CustomBackends, AFailingToolIsTheJobsErrorWithoutItsOutput) {
  const std::string id = submit_fields("txt2audio", {{"model", "ToolFails"}, {"text", "narrator-7"}});
  auto worker = start_worker("ToolFails");
  const auto status = poll_status(api(), id, is_final(), kJobDeadline);
  ASSERT_TRUE(status) << worker->describe();
  EXPECT_EQ(field(*status, "status"), "error");
  EXPECT_EQ(field(*status, "error"), "sh exited with 7");
  EXPECT_EQ(status->find("failure_detail"), status->end()) << "the client never sees the tool's output";

  // The operator does: the admin view carries what the tool said (docs/security.md).
  const auto admin = server().admin_http().get("/api/v1/admin/jobs/" + id);
  ASSERT_EQ(admin.status, 200) << admin.describe();
  const std::string detail = text_at(admin.json(), "/data/failure_detail");
  EXPECT_TRUE(detail.starts_with("sh exited with 7:")) << detail;
  EXPECT_NE(detail.find("narrator-7"), std::string::npos) << "the tool's stderr: " << detail;
}

TEST_F(CustomBackends, CancellingAJobKillsTheToolAndItsHelpers) {
  const std::string marker = scratch().file("sleeper");
  const std::string id = submit_fields("txt2audio", {{"model", "ToolSleeps"}, {"text", marker}});
  auto worker = start_worker("ToolSleeps");
  ASSERT_TRUE(wait_until(kJobDeadline, [&] { return read_pid(marker + ".tool") && read_pid(marker + ".helper"); }))
      << "the tool never started: " << worker->describe();
  const pid_t tool = *read_pid(marker + ".tool");
  const pid_t helper = *read_pid(marker + ".helper");
  ASSERT_FALSE(process_gone(tool));
  ASSERT_FALSE(process_gone(helper));

  const auto cancelled = api().post_json("/api/v1/client/request-cancel/" + id, boost::json::object{});
  ASSERT_EQ(cancelled.status, 200) << cancelled.describe();
  EXPECT_TRUE(wait_until(10s, [&] { return process_gone(tool); })) << "tool still runs: " << worker->describe();
  EXPECT_TRUE(wait_until(10s, [&] { return process_gone(helper); })) << "helper outlived the cancelled job";
  EXPECT_TRUE(worker->wait_for_output("lease lost", 10s)) << worker->describe();
}

TEST_F(CustomBackends, HttpModelAnswersWithAFile) {
  const std::string id =
      submit_fields("txt2img", {{"model", "HttpImage"}, {"prompt", "a red fox"}, {"width", 40}, {"height", 24}});
  auto worker = start_worker("HttpImage");
  const auto status = poll_status(api(), id, is_final(), kJobDeadline);
  ASSERT_TRUE(status) << worker->describe();
  ASSERT_EQ(field(*status, "status"), "done") << field(*status, "error");
  const auto download = HttpClient(server().base_url()).get(field(*status, "result_url"));
  const auto size = png_size(download.body);
  ASSERT_TRUE(size) << "result is not the server's PNG";
  EXPECT_EQ(size->first, 40u);
  EXPECT_EQ(size->second, 24u);
  // The body template kept whole-placeholder values typed and filled the others in.
  const auto bodies = model_server_.bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0], (boost::json::value{{"prompt", "a red fox"}, {"width", 40}, {"height", 24}, {"size", "40x24"}}));
}

TEST_F(CustomBackends, HttpModelAnswersWithJsonAndReportsProgress) {
  const std::string image = scratch().file("in.png");
  const std::string png = make_png(16, 16);
  write_file(image, png);
  const std::string id = submit_fields("img2txt", {{"model", "HttpText"}, {"return_result_in_response", true}},
                                       {{"image", image, "image/png", ""}});
  auto worker = start_worker("HttpText");
  StatusTrace trace;
  const auto status = poll_status(api(), id, is_final(), kJobDeadline, &trace);
  ASSERT_TRUE(status) << worker->describe();
  ASSERT_EQ(field(*status, "status"), "done") << field(*status, "error");
  // The input travelled as base64 and came back counted; the pointer picked "text".
  EXPECT_EQ(field(*status, "result"), "got " + std::to_string(png.size()) + " bytes");
  EXPECT_GE(model_server_.progress_polls(), 1) << "the progress URL was never polled";
  EXPECT_NE(std::find(trace.progress.begin(), trace.progress.end(), 50.0), trace.progress.end()) << trace.describe();
  const auto bodies = model_server_.bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0].at("model"), "HttpText");
  EXPECT_EQ(bodies[0].at("task"), "img2txt");
  EXPECT_EQ(bodies[0].at("job_id").as_string(), id);
}

TEST_F(CustomBackends, HttpModelErrorsBecomeTheJobsError) {
  const std::string id = submit_fields("txt2img", {{"model", "HttpFails"}, {"prompt", "x"}});
  auto worker = start_worker("HttpFails");
  const auto status = poll_status(api(), id, is_final(), kJobDeadline);
  ASSERT_TRUE(status) << worker->describe();
  EXPECT_EQ(field(*status, "status"), "error");
  EXPECT_EQ(field(*status, "error"), "model server answered 500: model exploded: out of memory");
}

}  // namespace
}  // namespace genq::testing
