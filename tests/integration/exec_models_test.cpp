// The catalog's out-of-the-box models on real Debian tools, end to end: the real
// server, a real worker with `--backend catalog`, the tools installed by
// scripts/install-deps.sh. A missing tool fails these tests (it is part of the
// install), it does not skip them.
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <sstream>

#include "genq/runner/find_program.hpp"
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

// Real tools on a loaded 2-core machine: generous, a passing run takes seconds.
constexpr std::chrono::milliseconds kToolJobDeadline = 90s;

void require_tools(std::initializer_list<const char*> tools) {
  for (const char* tool : tools) {
    ASSERT_TRUE(runner::find_program(tool)) << tool << " is not installed: run scripts/install-deps.sh";
  }
}

// ffprobe's JSON about the first video or audio stream and the format.
boost::json::object probe(const std::string& path) {
  const auto result = run_command({"ffprobe", "-v", "error", "-count_frames", "-show_entries",
                                   "stream=codec_type,width,height,nb_read_frames,sample_rate,channels:format=duration",
                                   "-of", "json", path},
                                  30s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return boost::json::parse(result.out).as_object();
}

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  return words;
}

// Longest common subsequence: digits recognised in the right order.
std::size_t in_order(const std::vector<std::string>& expected, const std::vector<std::string>& got) {
  std::vector<std::vector<std::size_t>> best(expected.size() + 1, std::vector<std::size_t>(got.size() + 1, 0));
  for (std::size_t i = 1; i <= expected.size(); i++) {
    for (std::size_t j = 1; j <= got.size(); j++) {
      best[i][j] = expected[i - 1] == got[j - 1] ? best[i - 1][j - 1] + 1 : std::max(best[i - 1][j], best[i][j - 1]);
    }
  }
  return best[expected.size()][got.size()];
}

class ExecModels : public GenqTest {
 protected:
  // Submits `request`, runs a catalog worker offering only `model`, and waits for
  // the job to end; returns the final status (done or error).
  boost::json::object run_to_end(const JobRequest& request, StatusTrace* trace = nullptr) {
    const auto started = std::chrono::steady_clock::now();
    const std::string id = submit(request);
    worker_ = server().start_worker({"--backend", "catalog", "--models", request.model});
    StatusTrace local;
    StatusTrace& seen = trace != nullptr ? *trace : local;
    const auto final_status = poll_status(api(), id, is_final(), kToolJobDeadline, &seen);
    if (!final_status) {
      ADD_FAILURE() << request.model << " job not final in time: " << seen.describe() << "\n" << worker_->describe();
      return {};
    }
    last_job_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return *final_status;
  }

  std::string download_result(const boost::json::object& status) {
    const auto download = HttpClient(server().base_url()).get(field(status, "result_url"));
    EXPECT_EQ(download.status, 200) << download.describe();
    const std::string path = scratch().file("result-" + std::to_string(downloads_++));
    write_file(path, download.body);
    return path;
  }

  void expect_done(const boost::json::object& status) {
    ASSERT_EQ(field(status, "status"), "done") << "error: " << field(status, "error") << "\n"
                                               << (worker_ ? worker_->describe() : "");
  }

  JobRequest request_for(const std::string& task, const std::string& model, boost::json::object fields,
                         std::vector<FilePart> files = {}) const {
    JobRequest request{task, model, std::move(fields), std::move(files)};
    request.fields["model"] = model;
    return request;
  }

  std::unique_ptr<ChildProcess> worker_;
  double last_job_seconds_ = 0;
  int downloads_ = 0;
};

TEST_F(ExecModels, TesseractReadsBackTextRenderedIntoAnImage) {
  require_tools({"tesseract", "ffmpeg"});
  const std::string image = scratch().file("words.png");
  const auto rendered = run_command({"ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                                     "color=white:s=900x200", "-vf",
                                     "drawtext=font=DejaVu Sans:text='QUICK BROWN FOX JUMPS':fontsize=56:"
                                     "fontcolor=black:x=30:y=70",
                                     "-frames:v", "1", image},
                                    30s);
  ASSERT_EQ(rendered.exit_code, 0) << rendered.err;
  const auto status = run_to_end(
      request_for("img2txt", "Tesseract5", {{"return_result_in_response", true}}, {{"image", image, "image/png", ""}}));
  expect_done(status);
  const std::string text = field(status, "result");
  const auto words = words_of(text);
  int found = 0;
  for (const char* expected : {"quick", "brown", "fox", "jumps"}) {
    const bool seen = std::find(words.begin(), words.end(), expected) != words.end();
    found += seen ? 1 : 0;
    EXPECT_TRUE(seen) << "OCR missed \"" << expected << "\" in: " << text;
  }
  std::cout << "[ measured ] tesseract read " << found << "/4 words (\"" << text << "\") in " << last_job_seconds_
            << " s\n";
}

TEST_F(ExecModels, EspeakNgSpeaksAWavAsLongAsTheText) {
  require_tools({"espeak-ng", "ffprobe"});
  // Nine words at 160 words per minute: about 3.4 s of speech.
  const auto status = run_to_end(request_for(
      "txt2audio", "EspeakNg", {{"text", "The quick brown fox jumps over the lazy dog."}, {"speed", 160}}));
  expect_done(status);
  const std::string wav = download_result(status);
  const std::string bytes = read_file(wav);
  ASSERT_TRUE(is_wav(bytes)) << "not RIFF/WAVE";
  const auto info = probe(wav);
  const double seconds = std::stod(std::string(info.at("format").at("duration").as_string()));
  EXPECT_GT(seconds, 1.5) << "too short for nine words";
  EXPECT_LT(seconds, 8.0) << "too long for nine words";
  std::cout << "[ measured ] espeak-ng: " << seconds << " s of speech, job " << last_job_seconds_ << " s\n";
}

TEST_F(ExecModels, PocketsphinxDigitsRecognisesDigitsEspeakNgSpoke) {
  require_tools({"espeak-ng", "pocketsphinx_continuous", "ffmpeg"});
  const std::vector<std::string> digits = {"three", "one", "four", "one", "five", "nine", "two", "six"};
  std::string sentence;
  for (const auto& d : digits) {
    sentence += (sentence.empty() ? "" : " ") + d;
  }
  const std::string wav = scratch().file("digits.wav");
  const auto spoken = run_command({"espeak-ng", "-v", "en-us", "-w", wav, sentence}, 30s);
  ASSERT_EQ(spoken.exit_code, 0) << spoken.err;
  const auto status = run_to_end(request_for("aud2txt", "PocketsphinxDigits", {{"return_result_in_response", true}},
                                             {{"audio", wav, "audio/wav", ""}}));
  expect_done(status);
  const std::string text = field(status, "result");
  const std::size_t recognised = in_order(digits, words_of(text));
  std::cout << "[ measured ] pocketsphinx digits: " << recognised << "/8 in order (\"" << text << "\"), job "
            << last_job_seconds_ << " s\n";
  EXPECT_GE(recognised, 5u) << "heard \"" << text << "\" for \"" << sentence << "\"";
}

TEST_F(ExecModels, PocketsphinxTakesTheAudioOfAVideoToo) {
  require_tools({"pocketsphinx_continuous", "ffmpeg"});
  const std::string video = scratch().file("silent.mp4");
  write_mp4(video);  // no audio track: ffmpeg fails, and says why in the worker's log only
  const auto status = run_to_end(request_for("transcribe", "PocketsphinxEn", {{"return_result_in_response", true}},
                                             {{"video", video, "video/mp4", ""}}));
  ASSERT_EQ(field(status, "status"), "error");
  // ffmpeg's complaint names the job's work directory: the client sees none of it.
  EXPECT_EQ(field(status, "error"), "ffmpeg exited with 1");
}

TEST_F(ExecModels, FfmpegLanczosEnlargesToExactlyScaleTimesTheInput) {
  require_tools({"ffmpeg"});
  const std::string image = scratch().file("small.png");
  write_file(image, make_png(50, 30));
  const auto status = run_to_end(
      request_for("img-upscale", "FfmpegLanczos", {{"scale", 3}}, {{"image", image, "image/png", ""}}));
  expect_done(status);
  const auto size = png_size(read_file(download_result(status)));
  ASSERT_TRUE(size) << "result is not a PNG";
  EXPECT_EQ(size->first, 150u);
  EXPECT_EQ(size->second, 90u);
}

TEST_F(ExecModels, FfmpegKenBurnsMakesAnMp4WithTheRequestedFrames) {
  require_tools({"ffmpeg", "ffprobe"});
  const std::string image = scratch().file("still.png");
  write_file(image, make_png(320, 240));
  StatusTrace trace;
  const auto status = run_to_end(request_for("img2video", "FfmpegKenBurns",
                                             {{"width", 160}, {"height", 128}, {"frames", 36}, {"fps", 12}},
                                             {{"image", image, "image/png", ""}}),
                                 &trace);
  expect_done(status);
  const std::string mp4 = download_result(status);
  EXPECT_TRUE(has_ftyp_box(read_file(mp4)));
  const auto info = probe(mp4);
  const auto& stream = info.at("streams").at(0).as_object();
  EXPECT_EQ(stream.at("width").to_number<int>(), 160);
  EXPECT_EQ(stream.at("height").to_number<int>(), 128);
  EXPECT_EQ(std::stoi(std::string(stream.at("nb_read_frames").as_string())), 36);
  EXPECT_NEAR(std::stod(std::string(info.at("format").at("duration").as_string())), 3.0, 0.1);
  EXPECT_TRUE(std::is_sorted(trace.progress.begin(), trace.progress.end())) << trace.describe();
  std::cout << "[ measured ] ken burns 36 frames 160x128: job " << last_job_seconds_ << " s; " << trace.describe()
            << "\n";
}

TEST_F(ExecModels, AWorkerOffersOnlyTheModelsItsToolsCanRun) {
  // PATH without the tools: the exec models are left out, each with its reason,
  // and the synthetic ones are still offered.
  const std::string token = server().create_worker_token();
  ChildProcess worker({server().binary(), "worker", "--server", server().base_url(), "--token", token},
                      {{"PATH", scratch().path().string()}});
  EXPECT_TRUE(worker.wait_for_output("not offering EspeakNg: espeak-ng is not installed", 20s)) << worker.describe();
  EXPECT_TRUE(worker.wait_for_output("offering", 20s)) << worker.describe();
  EXPECT_EQ(worker.output().find("offering 20 model"), std::string::npos) << worker.describe();
}

}  // namespace
}  // namespace genq::testing
