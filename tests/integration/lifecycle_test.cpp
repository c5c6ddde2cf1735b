// Every task the contract names, end to end against the real binary and its synthetic
// worker: submit → pending → processing with rising progress (and
// previews for images) → done, and the signed result_url serves a file of the right
// kind (SPEC §2, §3, §7).
#include <boost/json/parse.hpp>

#include <algorithm>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

int lifecycle_rank(const std::string& status) {
  // The polled statuses deAPI's SDK accepts (its JobStatus enum); in_progress is
  // WebSocket-only.
  static const std::vector<std::string> kOrder = {"pending", "processing", "done"};
  const auto found = std::find(kOrder.begin(), kOrder.end(), status);
  return found == kOrder.end() ? -1 : static_cast<int>(found - kOrder.begin());
}

// Statuses must only move forward along pending → processing → done.
bool follows_lifecycle(const std::vector<std::string>& statuses) {
  int rank = 0;
  for (const auto& status : statuses) {
    const int next = lifecycle_rank(status);
    if (next < 0 || next < rank) {
      return false;
    }
    rank = next;
  }
  return true;
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

class LifecycleTest : public GenqTest, public ::testing::WithParamInterface<std::string> {
 protected:
  // How many progress steps the synthetic backend will take: the request's or the
  // model's default "steps"; models without one get several (the backend's fallback).
  std::int64_t expected_steps(const JobRequest& request) const {
    if (const auto* steps = request.fields.if_contains("steps"); steps != nullptr) {
      return steps->to_number<std::int64_t>();
    }
    const auto* model = requests().catalog().find_model(request.model);
    const auto* spec = model != nullptr ? requests().param(*model, "steps") : nullptr;
    if (spec != nullptr && spec->default_value && spec->default_value->is_number()) {
      return spec->default_value->to_number<std::int64_t>();
    }
    return 8;
  }
};
class LifecycleDetails : public GenqTest {};

TEST_P(LifecycleTest, JobWaitsProgressesAndFinishesWithADownloadableResult) {
  const std::string task = GetParam();
  const JobRequest request = requests().minimal(task);
  const std::string id = submit(request);

  // No worker runs yet, so the job can only be waiting.
  const auto waiting = status_of(id);
  ASSERT_TRUE(waiting) << "status read failed";
  EXPECT_EQ(field(*waiting, "request_id"), id);
  EXPECT_EQ(field(*waiting, "status"), "pending");
  EXPECT_EQ(field(*waiting, "task"), task);
  EXPECT_EQ(field(*waiting, "model"), request.model);
  EXPECT_EQ(field(*waiting, "result_url"), "") << "a pending job has no result";
  for (const char* key : {"progress", "preview", "result_url", "results_alt_formats", "result", "error"}) {
    EXPECT_TRUE(waiting->contains(key)) << "status lacks \"" << key << "\"";
  }
  // deAPI's SDK: progress a float, never null; 0 before any progress.
  ASSERT_TRUE(waiting->at("progress").is_number()) << boost::json::serialize(*waiting);
  EXPECT_EQ(waiting->at("progress").to_number<double>(), 0.0);
  EXPECT_TRUE(waiting->at("result").is_null());

  // Slow enough steps that polling (every ≤ 20 ms) sees the job move, about 0.6 s
  // a job in all.
  const std::int64_t steps = expected_steps(request);
  const std::int64_t step_delay_ms = std::clamp<std::int64_t>(600 / std::max<std::int64_t>(steps, 1), 40, 150);
  auto worker = server().start_worker(
      {"--step-delay-ms", std::to_string(step_delay_ms), "--models", request.model});
  StatusTrace trace;
  const auto final_status = poll_status(api(), id, is_final(), kJobDeadline, &trace);
  ASSERT_TRUE(final_status) << "job not final within deadline: " << trace.describe() << "\n"
                            << worker->describe();
  ASSERT_EQ(field(*final_status, "status"), "done") << trace.describe() << "\n"
                                                    << worker->describe();

  EXPECT_TRUE(follows_lifecycle(trace.statuses)) << trace.describe();
  // Each step takes ≥ 40 ms, so the job is seen running; with several steps, its
  // progress is seen rising (a model fixed at one step reports only 100).
  EXPECT_TRUE(trace.saw("processing")) << trace.describe();
  EXPECT_FALSE(trace.saw("in_progress")) << "in_progress is the WebSocket event's: " << trace.describe();
  if (steps >= 2) {
    EXPECT_FALSE(trace.running_progress.empty()) << steps << " steps: " << trace.describe();
  }
  if (steps >= 3) {
    EXPECT_GE(trace.running_progress.size(), 2u)
        << "progress should rise visibly over " << steps << " steps: " << trace.describe();
  }
  EXPECT_TRUE(std::is_sorted(trace.progress.begin(), trace.progress.end())) << trace.describe();
  // deAPI's SDK reads progress as a float; its API reference shows "progress": 45.5.
  EXPECT_TRUE(trace.non_number_progress.empty()) << "progress must always be a JSON number, saw "
                                                  << trace.non_number_progress.front();
  EXPECT_EQ(final_status->at("progress").to_number<double>(), 100.0) << "100 when done";
  for (const double value : trace.progress) {
    EXPECT_TRUE(value >= 0 && value <= 100) << trace.describe();
  }

  const auto output = output_of(task);
  if (output == catalog::OutputKind::Image) {
    ASSERT_FALSE(trace.previews.empty()) << "image tasks show previews: " << trace.describe();
    const std::string prefix = "data:image/jpeg;base64,";
    const std::string& preview = trace.previews.front();
    ASSERT_TRUE(preview.starts_with(prefix)) << preview.substr(0, 64);
    const auto jpeg = base64_decode(preview.substr(prefix.size()));
    ASSERT_TRUE(jpeg) << "preview is not base64";
    EXPECT_TRUE(is_jpeg(*jpeg)) << "preview does not decode to a JPEG";
  }

  const std::string url = field(*final_status, "result_url");
  ASSERT_TRUE(url.starts_with(server().base_url() + "/files/")) << "result_url: " << url;
  EXPECT_NE(url.find("expires="), std::string::npos) << url;
  EXPECT_NE(url.find("signature="), std::string::npos) << url;
  // Signed URLs need no credentials.
  const auto download = HttpClient(server().base_url()).get(url);
  ASSERT_EQ(download.status, 200) << download.describe();
  ASSERT_FALSE(download.body.empty());

  switch (output) {
    case catalog::OutputKind::Image: {
      const auto size = png_size(download.body);
      ASSERT_TRUE(size) << "result is not a PNG";
      if (request.fields.contains("width") && request.fields.contains("height") &&
          task == "txt2img") {
        EXPECT_EQ(size->first, request.fields.at("width").to_number<std::uint32_t>());
        EXPECT_EQ(size->second, request.fields.at("height").to_number<std::uint32_t>());
      }
      break;
    }
    case catalog::OutputKind::Audio:
      EXPECT_TRUE(is_wav(download.body)) << "audio result is not RIFF/WAVE";
      break;
    case catalog::OutputKind::Video:
      EXPECT_TRUE(has_ftyp_box(download.body)) << "video result has no ftyp box";
      break;
    case catalog::OutputKind::Text: {
      const auto* result = final_status->if_contains("result");
      ASSERT_TRUE(result != nullptr && result->is_string() && !result->get_string().empty())
          << "text tasks answer in \"result\": " << boost::json::serialize(*final_status);
      break;
    }
    case catalog::OutputKind::Json: {
      // A string holding the JSON text: deAPI's SDK types result as str.
      const auto* result = final_status->if_contains("result");
      ASSERT_TRUE(result != nullptr && result->is_string())
          << "JSON tasks answer in \"result\" as JSON text: " << boost::json::serialize(*final_status);
      boost::system::error_code ec;
      const auto parsed = boost::json::parse(result->get_string(), ec);
      EXPECT_FALSE(ec) << "result is not JSON text: " << result->get_string();
      EXPECT_TRUE(parsed.is_object() || parsed.is_array()) << result->get_string();
      break;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryTask, LifecycleTest, ::testing::ValuesIn(contract_tasks()),
                         test_name);
// The tasks deAPI's SDK added (docs/api.md, "deAPI SDK compatibility"); the prompt
// helpers run here as ordinary jobs under their task names.
INSTANTIATE_TEST_SUITE_P(SdkTask, LifecycleTest,
                         ::testing::Values("audiofile2txt", "videofile2txt", "aud2video", "vid-replace",
                                           "prompt-image", "prompt-video", "prompt-speech",
                                           "prompt-image2image", "prompt-samples"),
                         test_name);

TEST_F(LifecycleDetails, Txt2imgResultHasTheRequestedNonSquareSize) {
  JobRequest request = requests().minimal("txt2img");
  const auto* model = requests().model_for("txt2img");
  const auto* width = requests().param(*model, "width");
  const auto* height = requests().param(*model, "height");
  ASSERT_TRUE(width != nullptr && height != nullptr) << model->name << " has no width/height";
  // Two different valid sizes, so a swapped width and height shows.
  const auto step = static_cast<std::int64_t>(width->step.value_or(8));
  const auto w = static_cast<std::int64_t>(width->min.value_or(64));
  const auto h = static_cast<std::int64_t>(height->min.value_or(64)) + 2 * step;
  request.fields["width"] = w;
  request.fields["height"] = h;
  const std::string id = submit(request);
  auto worker = server().start_worker({"--step-delay-ms", "5"});
  const auto done = poll_status(api(), id, is_final(), kJobDeadline);
  ASSERT_TRUE(done) << worker->describe();
  ASSERT_EQ(field(*done, "status"), "done") << boost::json::serialize(*done);
  const auto download = HttpClient(server().base_url()).get(field(*done, "result_url"));
  ASSERT_EQ(download.status, 200) << download.describe();
  const auto size = png_size(download.body);
  ASSERT_TRUE(size) << "not a PNG";
  EXPECT_EQ(size->first, static_cast<std::uint32_t>(w));
  EXPECT_EQ(size->second, static_cast<std::uint32_t>(h));
}

TEST_F(LifecycleDetails, QueuedJobsReportTheirPositionInTheQueue) {
  const JobRequest request = requests().minimal("txt2img");
  const std::string first = submit(request);
  const std::string second = submit(request);
  const auto first_status = status_of(first);
  const auto second_status = status_of(second);
  ASSERT_TRUE(first_status && second_status);
  const auto* first_position = first_status->if_contains("queue_position");
  const auto* second_position = second_status->if_contains("queue_position");
  ASSERT_TRUE(first_position != nullptr && first_position->is_number())
      << boost::json::serialize(*first_status);
  ASSERT_TRUE(second_position != nullptr && second_position->is_number())
      << boost::json::serialize(*second_status);
  EXPECT_LT(first_position->to_number<double>(), second_position->to_number<double>());
}

}  // namespace
}  // namespace genq::testing
