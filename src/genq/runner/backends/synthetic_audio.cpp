#include "genq/runner/backends/synthetic_audio.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <numbers>
#include <vector>

#include "genq/runner/backends/job_params.hpp"
#include "genq/runner/backends/synthetic_random.hpp"

namespace genq::runner {
namespace {

constexpr double kSecondsPerChar = 0.06;
constexpr double kMinTextSeconds = 1.0;
constexpr double kMaxTextSeconds = 30.0;
// An explicit duration is trusted further, but a ten-minute cap keeps a typo from
// filling the disk.
constexpr double kMaxSeconds = 600.0;

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; i++) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
}

void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>(v >> 8));
}

struct Note {
  std::int64_t start = 0;   // first sample
  std::int64_t length = 0;  // in samples
  double frequency = 0;
};

// Notes from an A-minor pentatonic scale, each a fifth of a second to half a second,
// until `samples` are covered.
std::vector<Note> compose_notes(std::uint64_t seed, std::int64_t samples, bool music) {
  static constexpr std::array<int, 8> kSemitones = {0, 3, 5, 7, 10, 12, 15, 17};
  Rng rng(seed);
  std::vector<Note> notes;
  for (std::int64_t at = 0; at < samples;) {
    Note note;
    note.start = at;
    const double seconds = music ? rng.uniform(0.25, 0.5) : rng.uniform(0.12, 0.3);
    note.length = std::max<std::int64_t>(1, std::llround(seconds * kWavSampleRate));
    note.frequency = 220.0 * std::pow(2.0, kSemitones[rng.below(kSemitones.size())] / 12.0);
    notes.push_back(note);
    at += note.length;
  }
  return notes;
}

// Linear 5 ms attack and 20 ms release so notes do not click.
double envelope(std::int64_t offset, std::int64_t length) {
  const double attack = 0.005 * kWavSampleRate, release = 0.02 * kWavSampleRate;
  return std::clamp(std::min(offset / attack, (length - offset) / release), 0.0, 1.0);
}

std::int16_t sample_at(const Note& note, std::int64_t i, bool music) {
  const double t = static_cast<double>(i - note.start) / kWavSampleRate;
  double value = std::sin(2 * std::numbers::pi * note.frequency * t);
  if (music) {
    value = 0.7 * value + 0.3 * std::sin(2 * std::numbers::pi * note.frequency * 1.5 * t);
  }
  value *= 0.3 * envelope(i - note.start, note.length);
  return static_cast<std::int16_t>(std::lround(value * 32767));
}

}  // namespace

std::string wav_header(std::uint32_t samples, int sample_rate) {
  const std::uint32_t data_bytes = samples * 2;
  std::string out;
  out.reserve(44);
  out += "RIFF";
  put_u32(out, 36 + data_bytes);
  out += "WAVE";
  out += "fmt ";
  put_u32(out, 16);  // PCM format chunk size
  put_u16(out, 1);   // PCM
  put_u16(out, 1);   // mono
  put_u32(out, static_cast<std::uint32_t>(sample_rate));
  put_u32(out, static_cast<std::uint32_t>(sample_rate) * 2);  // byte rate
  put_u16(out, 2);                                            // block align
  put_u16(out, 16);                                           // bits per sample
  out += "data";
  put_u32(out, data_bytes);
  return out;
}

double synthetic_audio_seconds(const JobSpec& job) {
  if (auto duration = param_number(job.params, "duration"); duration && *duration > 0) {
    return std::min(*duration, kMaxSeconds);
  }
  const double from_text = kSecondsPerChar * static_cast<double>(primary_text(job.params).size());
  return std::clamp(from_text, kMinTextSeconds, kMaxTextSeconds);
}

Result<Output> run_synthetic_audio(const JobSpec& job, const StepPacing& pacing) {
  const Stepper stepper(param_steps(job.params, 8), pacing);
  const bool music = job.task == "txt2music";
  const std::int64_t samples =
      std::max<std::int64_t>(1, std::llround(synthetic_audio_seconds(job) * kWavSampleRate));
  const std::uint64_t seed = mix64(param_seed(job.params), fnv1a(primary_text(job.params)));
  const std::vector<Note> notes = compose_notes(seed, samples, music);

  Output output{job.work_dir / "result.wav", "audio/wav", std::nullopt};
  std::ofstream file(output.file, std::ios::binary | std::ios::trunc);
  file << wav_header(static_cast<std::uint32_t>(samples));
  std::size_t note = 0;
  std::string chunk;
  for (int step = 0; step < stepper.steps(); step++) {
    if (!stepper.wait_step()) {
      return fail(cancelled_error());
    }
    const std::int64_t begin = samples * step / stepper.steps();
    const std::int64_t end = samples * (step + 1) / stepper.steps();
    chunk.clear();
    for (std::int64_t i = begin; i < end; i++) {
      while (notes[note].start + notes[note].length <= i) {
        note++;
      }
      const auto value = static_cast<std::uint16_t>(sample_at(notes[note], i, music));
      chunk.push_back(static_cast<char>(value & 0xFF));
      chunk.push_back(static_cast<char>(value >> 8));
    }
    file.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    stepper.finish_step(step);
  }
  file.close();
  if (!file) {
    return fail(Error::internal("writing " + output.file.filename().string() + " failed"));
  }
  return output;
}

}  // namespace genq::runner
