// The client commands as a script or a person at a terminal runs them: genq submit
// (--wait with a progress bar on a terminal, plain lines otherwise, --out, --preview),
// genq status, genq cancel, genq models, and their exit codes (0 done, 1 the job
// failed, 2 refused, 3 unreachable).
#include <fstream>
#include <sstream>

#include "integration/genq_test.hpp"
#include "support/media.hpp"

namespace genq::testing {
namespace {

using namespace std::chrono_literals;

std::string cli_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string cli_first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

class ClientCli : public GenqTest {
 protected:
  EnvVars env() const { return {{"GENQ_SERVER", server().base_url()}, {"GENQ_API_KEY", client().api_key}}; }
  std::vector<std::string> submit_command(const std::string& task, std::vector<std::string> extra = {}) const {
    const JobRequest request = requests().minimal(task);
    std::vector<std::string> argv{GENQ_BINARY, "submit", task, "--model", request.model};
    for (const auto& [name, value] : request.fields) {
      if (name == "model") continue;
      argv.push_back("--param");
      argv.push_back(std::string(name) + "=" + boost::json::serialize(value));
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
};

TEST_F(ClientCli, SubmitWaitFollowsTheJobAndSavesThePreviewAndTheResult) {
  const auto out = scratch().path() / "result.png";
  const auto preview = scratch().path() / "preview.jpg";
  ChildProcess cli(submit_command("txt2img", {"--wait", "--out", out.string(), "--preview", preview.string()}), env());
  ASSERT_TRUE(cli.wait_for_stdout("\n", 20s)) << cli.describe();
  const std::string id = cli_first_line(cli.stdout_text());
  ASSERT_TRUE(status_of(id)) << "not a request id: " << id;

  const ManualWorker worker = manual_worker();
  const auto job = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  const std::string jpeg = make_jpeg(64, 48);
  ASSERT_EQ(worker.progress(*job, 50, jpeg).status, 200);
  // Plain lines (stderr is a pipe here): the state and the percent as they change.
  ASSERT_TRUE(cli.wait_for_output("processing 50%", 20s)) << cli.describe();
  ASSERT_EQ(worker.finish(*job).status, 200);

  const auto code = cli.wait_exit(30s);
  ASSERT_TRUE(code) << cli.describe();
  EXPECT_EQ(*code, 0) << cli.describe();
  EXPECT_EQ(cli_file_bytes(preview), jpeg) << "the preview file is not the worker's last preview";
  const auto size = png_size(cli_file_bytes(out));
  ASSERT_TRUE(size) << "the result is not a PNG";
  EXPECT_NE(cli.stderr_text().find("done 100%"), std::string::npos) << cli.stderr_text();
  EXPECT_EQ(cli.stderr_text().find("polling"), std::string::npos) << "it left the WebSocket: " << cli.stderr_text();
}

TEST_F(ClientCli, RealtimeNamesTheKeyAndTheClientsChannel) {
  const auto answer = api().get("/api/v1/client/realtime");
  ASSERT_EQ(answer.status, 200) << answer.describe();
  const auto data = answer.json().at("data").as_object();
  EXPECT_EQ(data.at("channel").as_string(), "private-client." + client().client_id);
  EXPECT_EQ(data.at("event").as_string(), "request.status.updated");
  EXPECT_EQ(data.at("ws_path").as_string(), "/app/" + std::string(data.at("key").as_string()));
  EXPECT_FALSE(data.contains("secret"));
  EXPECT_EQ(server().http().get("/api/v1/client/realtime").status, 401);
}

TEST_F(ClientCli, AFailedJobExitsOneWithItsMessage) {
  ChildProcess cli(submit_command("txt2img", {"--wait"}), env());
  ASSERT_TRUE(cli.wait_for_stdout("\n", 20s)) << cli.describe();
  const std::string id = cli_first_line(cli.stdout_text());
  const ManualWorker worker = manual_worker();
  const auto job = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  ASSERT_EQ(worker.fail(*job, "the model ran out of memory", false).status, 200);
  const auto code = cli.wait_exit(30s);
  ASSERT_TRUE(code) << cli.describe();
  EXPECT_EQ(*code, 1) << cli.describe();
  EXPECT_NE(cli.stderr_text().find("the model ran out of memory"), std::string::npos) << cli.stderr_text();
}

TEST_F(ClientCli, ARefusedFieldExitsTwoAndNamesTheField) {
  const auto result = run_command(submit_command("txt2img", {"--param", "width=5"}), 20s, env());
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_TRUE(result.out.empty()) << "no request id for a refused submit: " << result.out;
  EXPECT_NE(result.err.find("422"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("width:"), std::string::npos) << result.err;

  const auto bad_key = run_command(submit_command("txt2img"), 20s,
                                   {{"GENQ_SERVER", server().base_url()}, {"GENQ_API_KEY", "gq_not-a-key"}});
  EXPECT_EQ(bad_key.exit_code, 2) << bad_key.err;
  EXPECT_NE(bad_key.err.find("401"), std::string::npos) << bad_key.err;
}

TEST_F(ClientCli, AnUnreachableServerExitsThree) {
  const auto result = run_command(submit_command("txt2img"), 20s,
                                  {{"GENQ_SERVER", "http://127.0.0.1:1"}, {"GENQ_API_KEY", client().api_key}});
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_NE(result.err.find("genq submit:"), std::string::npos) << result.err;
}

// Under a pseudo-terminal (script(1)) the bar is one line redrawn in place, and a text
// result is printed on stdout.
TEST_F(ClientCli, OnATerminalTheProgressBarIsRedrawnInPlace) {
  auto worker = server().start_worker({"--step-delay-ms", "100"});
  std::string command;
  for (const std::string& arg : submit_command("txt2img", {"--wait", "--out", (scratch().path() / "tty.png").string()})) {
    command += "'" + arg + "' ";
  }
  const auto result = run_command({"script", "-qfec", command, "/dev/null"}, 60s, env());
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err << worker->describe();
  EXPECT_NE(result.out.find("\r\033[K"), std::string::npos) << "no in-place redraw: " << result.out;
  EXPECT_NE(result.out.find("█"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("100.0%"), std::string::npos) << result.out;
  EXPECT_TRUE(png_size(cli_file_bytes(scratch().path() / "tty.png")));
}

TEST_F(ClientCli, ATextResultIsPrintedOnStdout) {
  auto worker = server().start_worker({"--step-delay-ms", "0"});
  const auto result = run_command(submit_command("txt2embedding", {"--wait"}), 60s, env());
  ASSERT_EQ(result.exit_code, 0) << result.err << worker->describe();
  const auto newline = result.out.find('\n');
  ASSERT_NE(newline, std::string::npos) << result.out;
  EXPECT_NE(result.out.find("embedding", newline), std::string::npos) << "no text result after the id: " << result.out;
}

TEST_F(ClientCli, StatusCancelAndModels) {
  const std::string id = submit(requests().minimal("txt2img"));
  const auto status = run_command({GENQ_BINARY, "status", id}, 20s, env());
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("\"request_id\":\"" + id + "\""), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("\"status\":\"pending\""), std::string::npos) << status.out;

  const auto cancelled = run_command({GENQ_BINARY, "cancel", id}, 20s, env());
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.err;
  EXPECT_NE(cancelled.out.find("\"status\":\"error\""), std::string::npos) << cancelled.out;
  const auto again = run_command({GENQ_BINARY, "cancel", id}, 20s, env());
  EXPECT_EQ(again.exit_code, 2) << "cancelling a finished job is refused (409)";

  const auto unknown = run_command({GENQ_BINARY, "status", "no-such-job"}, 20s, env());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("404"), std::string::npos) << unknown.err;

  const auto models = run_command({GENQ_BINARY, "models", "--task", "txt2img"}, 20s, env());
  ASSERT_EQ(models.exit_code, 0) << models.err;
  EXPECT_NE(models.out.find(requests().minimal("txt2img").model), std::string::npos) << models.out;
  std::istringstream lines(models.out);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_NE(line.find("txt2img"), std::string::npos) << "a model without txt2img listed: " << line;
  }
  EXPECT_GT(count, 0);
}

}  // namespace
}  // namespace genq::testing
