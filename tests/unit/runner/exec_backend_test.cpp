// The exec backend with small sh scripts standing in for real tools: config
// checks, progress, results from stdout or a file, errors from stderr, previews.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>

#include "genq/runner/backends/exec_backend.hpp"
#include "genq/runner/backends/raster.hpp"
#include "unit/runner/runner_test_support.hpp"

namespace genq::runner {
namespace {

using testing::RecordingSink;
using testing::TestJob;

catalog::ModelSpec tool_model() {
  catalog::ModelSpec model;
  model.name = "Tool";
  catalog::ParamSpec text;
  text.name = "text";
  catalog::ParamSpec count;
  count.name = "count";
  count.type = catalog::ParamType::Integer;
  catalog::ParamSpec image;
  image.name = "image";
  image.type = catalog::ParamType::File;
  model.params = {text, count, image};
  return model;
}

Result<ExecConfig> config_of(const std::string& json) {
  return parse_exec_config(boost::json::parse(json), tool_model());
}

ExecBackend backend_of(const std::string& json) {
  auto config = config_of(json);
  EXPECT_TRUE(config) << config.error().message;
  return ExecBackend(std::move(*config));
}

TEST(ExecConfig, RejectsWhatCouldNeverRun) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"j({"type":"exec"})j", "argv"},
      {R"j({"type":"exec","argv":["{text}"]})j", "literally"},
      {R"j({"type":"exec","argv":["echo","{prompt}"]})j", "prompt"},
      {R"j({"type":"exec","argv":["echo"],"steps":[{"argv":["echo"]}]})j", "either"},
      {R"j({"type":"exec","argv":["echo"],"ouput":"x.png"})j", "ouput"},
      {R"j({"type":"exec","argv":["echo"],"output":"../x.png"})j", "plain file name"},
      {R"j({"type":"exec","argv":["echo"],"progress":{"pattern":"\\d+%"}})j", "capture group"},
      {R"j({"type":"exec","argv":["echo"],"result":"file"})j", "output"},
      {R"j({"type":"exec","argv":["echo"],"timeout_s":0})j", "timeout_s"},
      {R"j({"type":"exec","argv":["echo"],"limits":{"memory":5}})j", "memory_mb"},
      {R"j({"type":"exec","argv":["echo"],"limits":{"cpu_s":0}})j", "cpu_s"},
      {R"j({"type":"exec","argv":["echo"],"env":{"A=B":"x"}})j", "env"},
  };
  for (const auto& [json, expected] : cases) {
    auto config = config_of(json);
    ASSERT_FALSE(config) << json;
    EXPECT_NE(config.error().message.find(expected), std::string::npos) << json << " -> " << config.error().message;
  }
}

TEST(ExecConfig, ContentTypeFollowsTheOutputExtension) {
  auto config = config_of(R"j({"type":"exec","argv":["true"],"output":"speech.wav"})j");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->content_type, "audio/wav");
  EXPECT_EQ(config->programs(), (std::vector<std::string>{"true"}));
}

TEST(ExecBackend, TextResultComesFromStdoutWithProgressFromStderr) {
  auto backend = backend_of(R"j({"type":"exec",
      "argv":["sh","-c","for i in 1 2 3 4; do echo \"step $i/4\" >&2; done; tr a-z A-Z","tool"],
      "stdin":"{text}",
      "progress":{"pattern":"step (\\d+)/(\\d+)"}})j");
  TestJob job("img2txt", catalog::OutputKind::Text, R"j({"text":"read me"})j");
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  auto output = backend.run(job.spec, sink, cancelled);
  ASSERT_TRUE(output) << output.error().message;
  ASSERT_TRUE(output->result);
  EXPECT_EQ(output->result->as_string(), "READ ME");
  const auto reports = sink.reports();
  ASSERT_FALSE(reports.empty());
  std::vector<double> percents;
  for (const auto& r : reports) {
    percents.push_back(r.percent);
  }
  EXPECT_TRUE(std::is_sorted(percents.begin(), percents.end()));
  EXPECT_NE(std::find(percents.begin(), percents.end(), 50.0), percents.end()) << "step 2/4 is 50%";
  EXPECT_EQ(percents.back(), 100.0);
}

TEST(ExecBackend, StepsRunInOrderInTheWorkDirectoryWithItsFiles) {
  auto backend = backend_of(R"j({"type":"exec",
      "files":{"greeting.txt":"hello"},
      "steps":[{"argv":["sh","-c","cat greeting.txt > copy.txt; echo ' {count} times' >> copy.txt"]},
               {"argv":["cp","copy.txt","{output}"]}],
      "output":"result.txt","result":"file"})j");
  TestJob job("img2txt", catalog::OutputKind::Text, R"j({"count":3})j");
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  auto output = backend.run(job.spec, sink, cancelled);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->result->as_string(), "hello 3 times");
}

TEST(ExecBackend, AFailingToolIsNamedWithItsExitCodeAndItsOutputStaysInTheWorkersLog) {
  auto backend = backend_of(R"j({"type":"exec","argv":["sh","-c","echo starting; echo 'cannot open model.bin' >&2; exit 4"]})j");
  TestJob job("img2txt", catalog::OutputKind::Text, "{}");
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  auto output = backend.run(job.spec, sink, cancelled);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().message, "sh exited with 4");
}

Result<Output> run_tool(const std::string& backend_json) {
  auto backend = backend_of(backend_json);
  TestJob job("img2txt", catalog::OutputKind::Text, "{}");
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  return backend.run(job.spec, sink, cancelled);
}

TEST(ExecBackend, AToolPastItsCpuTimeLimitIsStopped) {
  const auto started = std::chrono::steady_clock::now();
  auto output = run_tool(R"j({"type":"exec","argv":["sh","-c","while :; do :; done"],"limits":{"cpu_s":1}})j");
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().message, "sh used up its CPU-time limit (1 s) and was stopped");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

TEST(ExecBackend, AToolWritingPastItsFileSizeLimitIsStopped) {
  auto output = run_tool(
      R"j({"type":"exec","argv":["sh","-c","head -c 3000000 /dev/zero > big.bin"],"limits":{"file_mb":1}})j");
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().message, "sh tried to write a file over its size limit (1 MiB) and was stopped");
}

TEST(ExecBackend, AToolPastItsMemoryLimitFails) {
  // The shell holds 200 MB of text in a variable: far past a 64 MiB limit.
  auto output = run_tool(
      R"j({"type":"exec","argv":["sh","-c","x=$(head -c 200000000 /dev/zero | tr '\\0' a); printf %s \"$x\" | wc -c"],
          "limits":{"memory_mb":64}})j");
  ASSERT_FALSE(output) << "the tool printed " << (output->result ? output->result->as_string() : "");
  EXPECT_NE(output.error().message.find("sh "), std::string::npos) << output.error().message;
  // Without the limit the same command succeeds: the limit is what stopped it.
  auto unlimited = run_tool(
      R"j({"type":"exec","argv":["sh","-c","x=$(head -c 200000000 /dev/zero | tr '\\0' a); printf %s \"$x\" | wc -c"],
          "limits":{"memory_mb":4096}})j");
  ASSERT_TRUE(unlimited) << unlimited.error().message;
  EXPECT_EQ(unlimited->result->as_string(), "200000000");
}

TEST(ExecBackend, AToolSeesAPlainEnvironmentAndItsEntrysEnvNotTheWorkers) {
  ::setenv("GENQ_WORKER_TOKEN", "wk_secret", 1);
  auto output = run_tool(
      R"j({"type":"exec","argv":["sh","-c","echo \"[$GENQ_WORKER_TOKEN][$LANG][$VOICE_DIR][$HOME]\""],
          "env":{"VOICE_DIR":"/opt/voices"}})j");
  ::unsetenv("GENQ_WORKER_TOKEN");
  ASSERT_TRUE(output) << output.error().message;
  const std::string said(output->result->as_string());
  EXPECT_TRUE(said.starts_with("[][C.UTF-8][/opt/voices][/")) << said;
}

TEST(ExecBackend, AnOversizedTextResultIsAnErrorNotATruncatedResult) {
  auto backend = backend_of(R"j({"type":"exec","argv":["sh","-c","head -c 2000000 /dev/zero | tr '\\0' x"]})j");
  TestJob job("img2txt", catalog::OutputKind::Text, "{}");
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  auto output = backend.run(job.spec, sink, cancelled);
  ASSERT_FALSE(output);
  EXPECT_NE(output.error().message.find("larger than 1 MiB"), std::string::npos) << output.error().message;
}

TEST(ExecBackend, AFileOutputThatWasNotWrittenIsAnError) {
  auto backend = backend_of(R"j({"type":"exec","argv":["true"],"output":"image.png"})j");
  TestJob job("img-upscale", catalog::OutputKind::Image, "{}");
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  auto output = backend.run(job.spec, sink, cancelled);
  ASSERT_FALSE(output);
  EXPECT_NE(output.error().message.find("image.png"), std::string::npos) << output.error().message;
}

TEST(ExecBackend, AFileTheToolRewritesBecomesAJpegPreview) {
  genq::testing::TempDir source;
  Image frame(64, 48, 3);
  ASSERT_TRUE(write_png(frame, source.path() / "frame.png"));
  // Copies the frame as its preview, then waits long enough to be polled.
  auto backend = backend_of(R"j({"type":"exec",
      "argv":["sh","-c","cp \"$1\" preview.png; cp \"$1\" {output}; sleep 1","tool",")j" +
                            (source.path() / "frame.png").string() + R"j("],
      "output":"out.png","preview":"preview.png"})j");
  TestJob job("img-upscale", catalog::OutputKind::Image, "{}");
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  auto output = backend.run(job.spec, sink, cancelled);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->content_type, "image/png");
  bool saw_preview = false;
  for (const auto& report : sink.reports()) {
    if (!report.preview_jpeg.empty()) {
      const auto info = testing::read_jpeg_info(report.preview_jpeg);
      EXPECT_TRUE(info.ok);
      EXPECT_EQ(info.width, 64);
      saw_preview = true;
    }
  }
  EXPECT_TRUE(saw_preview) << "no preview was reported";
}

TEST(ExecBackend, CancellationStopsTheToolSoon) {
  auto backend = backend_of(R"j({"type":"exec","argv":["sleep","60"]})j");
  TestJob job("img2txt", catalog::OutputKind::Text, "{}");
  RecordingSink sink;
  std::atomic<bool> cancelled{true};
  const auto started = std::chrono::steady_clock::now();
  auto output = backend.run(job.spec, sink, cancelled);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().kind, ErrorKind::Conflict);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

}  // namespace
}  // namespace genq::runner
