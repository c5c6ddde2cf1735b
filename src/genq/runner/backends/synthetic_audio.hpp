#pragma once
// The synthetic backend's audio tasks (txt2audio, txt2music): a 16-bit PCM mono WAV at
// 22050 Hz of seeded tones. Length: params.duration seconds if given, else 0.06 s per
// character of the text, between 1 and 30 s. Written step by step. Thread-safe.
#include <cstdint>
#include <string>

#include "genq/core/error.hpp"
#include "genq/runner/backends/backend.hpp"
#include "genq/runner/backends/synthetic_steps.hpp"

namespace genq::runner {

inline constexpr int kWavSampleRate = 22050;

Result<Output> run_synthetic_audio(const JobSpec& job, const StepPacing& pacing);

// The 44-byte RIFF/WAVE header of 16-bit mono PCM with `samples` samples.
std::string wav_header(std::uint32_t samples, int sample_rate = kWavSampleRate);

// Seconds of audio the job asks for, as described above.
double synthetic_audio_seconds(const JobSpec& job);

}  // namespace genq::runner
