// Files of the sizes users send and models return, through the real binary: a
// nearly-10 MB photo, 70 MB of audio, 20 MB and 200 MB results with Content-Length
// and chunked, one byte over each limit, and truncated or damaged inputs that must end
// their job with a message while the worker goes on.
#include <fstream>

#include "integration/genq_test.hpp"
#include "support/streaming_transfer.hpp"

namespace genq::testing {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;
// The submit limits docs/api.md gives: --max-json-bytes (1 MiB) for the fields, plus
// each file field at its kind's limit and 16 KiB of multipart framing per file.
constexpr std::uint64_t kJsonLimit = kMiB;
constexpr std::uint64_t kImageLimit = 10 * kMiB;
constexpr std::uint64_t kUpscaleBodyLimit = kJsonLimit + kImageLimit + 16 * 1024;  // img-upscale: one image
// Memory a streamed transfer may add to the server's peak, whatever the file's size.
constexpr std::uint64_t kStreamingHeadroom = 64 * kMiB;

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string random_bytes(std::size_t size, std::uint64_t seed) {
  std::string out(size, '\0');
  std::uint64_t state = seed | 1;
  for (char& c : out) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = static_cast<char>(state >> 56);
  }
  return out;
}

class RealSizeFiles : public GenqTest {
 protected:
  // `task`'s minimal request with its one file field replaced by `bytes`.
  JobRequest with_file(std::string_view task, std::string_view bytes, const std::string& name) const {
    JobRequest request = requests().minimal(task);
    if (request.files.empty()) throw std::runtime_error(std::string(task) + " takes no file");
    const std::filesystem::path path = scratch().path() / name;
    write_file(path, bytes);
    request.files.front().path = path.string();
    request.files.front().filename = name;
    request.files.resize(1);
    return request;
  }

  std::optional<boost::json::object> wait_final(const std::string& id,
                                                std::chrono::milliseconds deadline = 2 * kJobDeadline) const {
    return poll_status(api(), id, is_final(), deadline);
  }
};

TEST_F(RealSizeFiles, NearlyTenMegabytePhotoIsAcceptedForImg2imgAndItsJobFinishes) {
  const std::string photo = make_noise_png(1820, 1820);
  ASSERT_GT(photo.size(), 9'900'000u);
  ASSERT_LT(photo.size(), kImageLimit);
  const auto submitted = with_file("img2img", photo, "photo.png").submit(api());
  ASSERT_EQ(submitted.status, 200) << submitted.describe();
  const std::string id = request_id_of(submitted);

  auto worker = server().start_worker({"--step-delay-ms", "0"});
  const auto final = wait_final(id);
  ASSERT_TRUE(final) << "job " << id << " never ended";
  EXPECT_EQ(field(*final, "status"), "done") << boost::json::serialize(*final);
}

TEST_F(RealSizeFiles, SeventyMegabyteRecordingIsAcceptedForTranscriptionAndTranscribed) {
  const std::string recording = make_wav(2200, 16000);  // 36 min of 16 kHz speech-grade audio
  ASSERT_GT(recording.size(), 70'000'000u);
  JobRequest request = with_file("transcribe", recording, "interview.wav");
  request.files.front().field = "audio";
  const auto submitted = request.submit(api().with_timeout(std::chrono::minutes(2)));
  ASSERT_EQ(submitted.status, 200) << submitted.describe();
  const std::string id = request_id_of(submitted);

  auto worker = server().start_worker({"--step-delay-ms", "0"});
  const auto final = wait_final(id, 4 * kJobDeadline);
  ASSERT_TRUE(final) << "job " << id << " never ended";
  ASSERT_EQ(field(*final, "status"), "done") << boost::json::serialize(*final);
  EXPECT_NE(field(*final, "result").find(std::to_string(recording.size()) + "-byte input"), std::string::npos)
      << "the worker did not get the whole recording: " << field(*final, "result");
}

TEST_F(RealSizeFiles, OneByteOverASubmitsBodyLimitIs413BeforeTheBodyIsRead) {
  const std::string boundary = "----genq-limit";
  const std::string type = "multipart/form-data; boundary=" + boundary;
  const auto over = api().request("POST", "/api/v1/client/img-upscale", std::string(kUpscaleBodyLimit + 1, 'x'), type);
  ASSERT_EQ(over.status, 413) << over.describe();
  EXPECT_EQ(text_at(over.json(), "/message"),
            "The request body is too large (limit " + std::to_string(kUpscaleBodyLimit) + " bytes).");
  // At the limit the body is read, and judged as multipart (it is not).
  const auto at = api().request("POST", "/api/v1/client/img-upscale", std::string(kUpscaleBodyLimit, 'x'), type);
  EXPECT_EQ(at.status, 400) << at.describe();

  // A task without files takes JSON up to --max-json-bytes.
  const auto json_over = api().request("POST", "/api/v1/client/txt2img", std::string(kJsonLimit + 1, ' '),
                                       "application/json");
  EXPECT_EQ(json_over.status, 413) << json_over.describe();
}

TEST_F(RealSizeFiles, AnImageOneByteOverItsLimitIsRefusedOnItsField) {
  std::string image = make_png(16, 16);
  image += random_bytes(kImageLimit + 1 - image.size(), 7);
  const auto answer = with_file("img2img", image, "huge.png").submit(api());
  ASSERT_EQ(answer.status, 422) << answer.describe();
  EXPECT_EQ(text_at(answer.json(), "/errors/image/0"), "The image field must not be greater than 10240 kilobytes.");
}

TEST_F(RealSizeFiles, GarbageUploadsAreRefusedOnTheirFieldAtSubmit) {
  const std::string garbage = random_bytes(200'000, 3);
  const auto image = with_file("img2img", garbage, "photo.png").submit(api());
  ASSERT_EQ(image.status, 422) << image.describe();
  EXPECT_EQ(text_at(image.json(), "/errors/image/0"),
            "The image field must be an image (PNG, JPEG, WebP, GIF or BMP).");

  JobRequest audio_request = with_file("transcribe", "this is a text file, not a recording\n", "notes.wav");
  audio_request.files.front().field = "audio";
  const auto audio = audio_request.submit(api());
  ASSERT_EQ(audio.status, 422) << audio.describe();
  EXPECT_NE(text_at(audio.json(), "/errors/audio/0").find("must be an audio file"), std::string::npos)
      << audio.describe();
}

// Passes the content check at submit (right magic bytes) but cannot be decoded.
struct DamagedInput {
  std::string task;
  std::string field;
  std::string name;
  std::string bytes;
};

TEST_F(RealSizeFiles, TruncatedAndDamagedInputsEndTheirJobsAndTheWorkerTakesTheNextJob) {
  const std::string png = make_noise_png(256, 256);
  const std::string jpeg = make_jpeg(256, 256);
  const std::string wav = make_wav(4, 16000);
  const std::filesystem::path mp4_path = scratch().path() / "clip.mp4";
  write_mp4(mp4_path);
  std::ifstream mp4_in(mp4_path, std::ios::binary);
  const std::string mp4((std::istreambuf_iterator<char>(mp4_in)), std::istreambuf_iterator<char>());
  const std::vector<DamagedInput> inputs = {
      {"img2img", "image", "cut.png", png.substr(0, png.size() / 2)},
      {"img2img", "image", "noise.png", png.substr(0, 8) + random_bytes(5000, 11)},
      {"img2img", "image", "cut.jpg", jpeg.substr(0, jpeg.size() / 2)},
      {"img2txt", "image", "cut-page.png", png.substr(0, png.size() / 3)},
      {"transcribe", "audio", "cut.wav", wav.substr(0, wav.size() / 2 + 1)},
      {"vid2txt", "video", "cut.mp4", mp4.substr(0, mp4.size() / 2)},
  };
  std::vector<std::string> ids;
  for (const auto& input : inputs) {
    JobRequest request = with_file(input.task, input.bytes, input.name);
    request.files.front().field = input.field;
    const auto answer = request.submit(api());
    ASSERT_EQ(answer.status, 200) << input.name << ": " << answer.describe();
    ids.push_back(request_id_of(answer));
  }

  auto worker = server().start_worker({"--step-delay-ms", "0", "--concurrency", "1"});
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto final = wait_final(ids[i]);
    ASSERT_TRUE(final) << inputs[i].name << ": job never ended";
    EXPECT_EQ(field(*final, "status"), "error") << inputs[i].name << ": " << boost::json::serialize(*final);
    const std::string error = field(*final, "error");
    EXPECT_NE(error.find("the " + inputs[i].field + " input"), std::string::npos)
        << inputs[i].name << ": the error does not name the input: " << error;
    EXPECT_EQ(field(*final, "attempts"), "1") << inputs[i].name << ": a bad input is not worth a retry";
  }

  // The same worker, still running, takes the next job and finishes it.
  ASSERT_TRUE(worker->running()) << "the worker died on a bad input";
  const std::string good = submit(requests().minimal("img2img"));
  const auto final = wait_final(good);
  ASSERT_TRUE(final);
  EXPECT_EQ(field(*final, "status"), "done") << boost::json::serialize(*final);
  EXPECT_TRUE(worker->running());
}

// A worker's result upload of a real video or recording size, both framings.
class RealSizeResults : public GenqTest,
                        public ::testing::WithParamInterface<std::tuple<std::uint64_t, Framing>> {
 protected:
  // The test uploads without heartbeats (a real worker heartbeats meanwhile): the lease
  // must outlast a 200 MB upload in the sanitizer build on a loaded 2-core machine.
  std::vector<std::string> server_args() const override { return {"--lease-ms", "300000"}; }
};

TEST_P(RealSizeResults, UploadIsStreamedAndTheDownloadIsByteExact) {
  const auto [size, framing] = GetParam();
  const std::string id = submit(requests().minimal("txt2video"));
  const std::string token = server().create_worker_token();
  const ManualWorker worker(server().http(), token);
  const auto job = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);

  const std::filesystem::path file = scratch().path() / "result.mp4";
  const std::string sha = write_random_file(file, size, size);
  const pid_t server_pid = server().process().pid();
  const auto peak_before = peak_rss_bytes(server_pid);
  ASSERT_TRUE(peak_before);

  const std::string url = server().base_url() + "/api/v1/worker/jobs/" + id + "/result?lease_id=" + job->lease_id;
  const auto uploaded =
      upload_file("PUT", url, file, "video/mp4", framing, token);
  ASSERT_EQ(uploaded.status, 200) << uploaded.transport_error << " " << uploaded.body;
  ASSERT_EQ(worker.complete(*job).status, 200);
  const auto done = poll_status(api(), id, status_is("done"), kJobDeadline);
  ASSERT_TRUE(done);

  const auto downloaded = download_hashed(field(*done, "result_url"));
  ASSERT_EQ(downloaded.status, 200) << downloaded.transport_error;
  EXPECT_EQ(downloaded.bytes, size);
  EXPECT_EQ(downloaded.sha256, sha) << "the download differs from the upload";

  const auto peak_after = peak_rss_bytes(server_pid);
  ASSERT_TRUE(peak_after);
  // ASan keeps freed blocks in a quarantine of up to 256 MiB, so a sanitizer build's RSS
  // says nothing about streaming; the release build checks it.
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LT(*peak_after - *peak_before, kStreamingHeadroom)
      << "the server held the file in memory: peak RSS grew by " << (*peak_after - *peak_before) / kMiB << " MiB";
#endif
}

INSTANTIATE_TEST_SUITE_P(TwentyAndTwoHundredMegabytes, RealSizeResults,
                         ::testing::Combine(::testing::Values(std::uint64_t{20'000'000}, std::uint64_t{200'000'000}),
                                            ::testing::Values(Framing::ContentLength, Framing::Chunked)),
                         [](const auto& case_info) {
                           return std::to_string(std::get<0>(case_info.param) / 1'000'000) + "MB" +
                                  (std::get<1>(case_info.param) == Framing::Chunked ? "Chunked" : "WithContentLength");
                         });

class ResultLimit : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override { return {"--max-result-bytes", "20971520"}; }
};

TEST_F(ResultLimit, OneByteOverMaxResultBytesIs413InEitherFraming) {
  const std::string token = server().create_worker_token();
  const ManualWorker worker(server().http(), token);
  for (const Framing framing : {Framing::ContentLength, Framing::Chunked}) {
    const std::string id = submit(requests().minimal("txt2video"));
    const auto job = worker.claim_job(id, kJobDeadline);
    ASSERT_TRUE(job);
    const std::string url = server().base_url() + "/api/v1/worker/jobs/" + id + "/result?lease_id=" + job->lease_id;
    const std::filesystem::path over = scratch().path() / "over.mp4";
    write_random_file(over, 20971521, 5);
    const auto refused = upload_file("PUT", url, over, "video/mp4", framing, token, true);
    EXPECT_EQ(refused.status, 413) << refused.transport_error << " " << refused.body;

    const std::filesystem::path at = scratch().path() / "at.mp4";
    write_random_file(at, 20971520, 6);
    const auto accepted = upload_file("PUT", url, at, "video/mp4", framing, token, true);
    EXPECT_EQ(accepted.status, 200) << accepted.transport_error << " " << accepted.body;
  }
}

}  // namespace
}  // namespace genq::testing
