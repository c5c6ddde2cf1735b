#include "genq/runner/backends/synthetic_text.hpp"

#include <boost/json.hpp>

#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <vector>

#include "genq/runner/backends/job_params.hpp"
#include "genq/runner/backends/raster.hpp"
#include "genq/runner/backends/synthetic_random.hpp"

namespace genq::runner {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 24> kWords = {
    "the",   "quick",  "model", "speaks", "of",     "rivers", "and",   "light",
    "while", "a",      "fox",   "reads",  "signal", "noise",  "under", "quiet",
    "sky",   "number", "seven", "turns",  "blue",   "over",   "stone", "bridges"};

// `count` words from the seed, first one capitalised, ending with a full stop.
std::string sentence(std::uint64_t seed, int count) {
  Rng rng(seed);
  std::string out;
  for (int i = 0; i < count; i++) {
    std::string word(kWords[rng.below(kWords.size())]);
    if (i == 0) {
      word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
    }
    out += (i == 0 ? "" : " ") + word;
  }
  return out + ".";
}

// FNV-1a of a whole file, streamed; the size comes back too.
std::uint64_t hash_file(const std::filesystem::path& file, std::uintmax_t& size) {
  std::ifstream in(file, std::ios::binary);
  std::array<char, 64 * 1024> buffer;
  std::uint64_t hash = fnv1a("");
  size = 0;
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    const auto n = static_cast<std::size_t>(in.gcount());
    hash = fnv1a(std::string_view(buffer.data(), n), hash);
    size += n;
  }
  return hash;
}

const std::filesystem::path* first_input(const JobSpec& job, std::string_view preferred) {
  if (auto it = job.inputs.find(std::string(preferred)); it != job.inputs.end()) {
    return &it->second;
  }
  return job.inputs.empty() ? nullptr : &job.inputs.begin()->second;
}

Result<json::value> transcript(const JobSpec& job, std::uint64_t seed) {
  std::uintmax_t size = 0;
  std::uint64_t content = 0;
  const std::string_view field = job.task == "vid2txt" || job.task == "videofile2txt" ? "video" : "audio";
  if (const auto* file = first_input(job, field)) {
    content = hash_file(*file, size);
  }
  const std::uint64_t words_seed = mix64(seed, content);
  std::string text = "Synthetic transcript of " + std::to_string(size) + "-byte input: " +
                     sentence(words_seed, 8) + " " + sentence(mix64(words_seed, 1), 6);
  return json::value(json::string(text));
}

Result<json::value> ocr(const JobSpec& job, std::uint64_t seed) {
  const auto* file = first_input(job, "image");
  if (file == nullptr) {
    return fail(Error::invalid("img2txt needs an image input"));
  }
  // Decoded in full, not just its header: a truncated upload fails here, as a real
  // OCR model would.
  auto size = read_image(*file, std::int64_t{64} << 20);
  if (!size) {
    return fail(size.error());
  }
  std::uintmax_t bytes = 0;
  const std::uint64_t content = hash_file(*file, bytes);
  std::string text = "Synthetic OCR of a " + std::to_string(size->width) + "x" +
                     std::to_string(size->height) + " image: " + sentence(mix64(seed, content), 7);
  return json::value(json::string(text));
}

// The prompt helpers (prompt-image, prompt-video, prompt-speech,
// prompt-image2image): the prompt with deterministic detail added. prompt-samples: a
// sample prompt of the asked type, on the topic when one is given.
Result<json::value> boosted_prompt(const JobSpec& job, std::uint64_t seed) {
  if (job.task == "prompt-samples") {
    const std::string type = param_string(job.params, "type").value_or("image");
    const std::string topic = param_string(job.params, "topic").value_or("a quiet harbour at dawn");
    std::string text = type == "speech" ? "Welcome, listeners: today we talk about " + topic + ". " + sentence(seed, 7)
                                        : "A detailed photograph of " + topic + ", " + sentence(seed, 6);
    return json::value(json::string(text));
  }
  std::string prompt = param_string(job.params, "prompt").value_or("");
  while (!prompt.empty() && (prompt.back() == '.' || prompt.back() == ' ')) {
    prompt.pop_back();
  }
  std::string detail = job.task == "prompt-speech" ? "spoken warmly and clearly, with natural pauses"
                       : job.task == "prompt-video" ? "smooth camera motion, cinematic lighting, 24 fps"
                                                    : "highly detailed, soft natural light, sharp focus";
  std::string text = prompt + ", " + detail + ". " + sentence(mix64(seed, fnv1a(prompt)), 6);
  return json::value(json::string(text));
}

}  // namespace

json::object synthetic_embedding(std::uint64_t seed, std::string_view text) {
  Rng rng(mix64(seed, fnv1a(text)));
  std::vector<double> values(kEmbeddingDimensions);
  double norm = 0;
  for (double& v : values) {
    // A sum of four uniforms: roughly normal, like real embedding components.
    v = rng.uniform() + rng.uniform() + rng.uniform() + rng.uniform() - 2.0;
    norm += v * v;
  }
  norm = std::sqrt(norm);
  json::array embedding;
  embedding.reserve(values.size());
  for (double v : values) {
    embedding.emplace_back(std::round(v / norm * 1e6) / 1e6);
  }
  json::object out;
  out["embedding"] = std::move(embedding);
  out["dimensions"] = kEmbeddingDimensions;
  return out;
}

Result<Output> run_synthetic_text(const JobSpec& job, const StepPacing& pacing) {
  const std::uint64_t seed = param_seed(job.params);
  Result<json::value> result;
  const json::value* batch = job.params.if_contains("input");
  if (job.output == catalog::OutputKind::Json && batch != nullptr && batch->is_array()) {
    // A batch: one embedding per text, in order.
    json::array embeddings;
    for (const json::value& item : batch->get_array()) {
      embeddings.push_back(synthetic_embedding(seed, item.is_string() ? std::string_view(item.get_string()) : ""));
    }
    json::object out;
    out["embeddings"] = std::move(embeddings);
    out["dimensions"] = kEmbeddingDimensions;
    result = json::value(std::move(out));
  } else if (job.output == catalog::OutputKind::Json) {
    std::string text = primary_text(job.params);
    if (const auto* file = first_input(job, "file")) {
      std::uintmax_t size = 0;
      text += std::to_string(hash_file(*file, size));
    }
    result = json::value(synthetic_embedding(seed, text));
  } else if (job.task == "img2txt") {
    result = ocr(job, seed);
  } else if (job.task.starts_with("prompt-")) {
    result = boosted_prompt(job, seed);
  } else {
    result = transcript(job, seed);
  }
  if (!result) {
    return fail(result.error());  // bad input: fail before spending the steps
  }
  const Stepper stepper(param_steps(job.params, 8), pacing);
  for (int step = 0; step < stepper.steps(); step++) {
    if (!stepper.wait_step()) {
      return fail(cancelled_error());
    }
    stepper.finish_step(step);
  }
  return Output{{}, {}, std::move(*result)};
}

}  // namespace genq::runner
