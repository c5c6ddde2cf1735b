#pragma once
// The synthetic backend's text and JSON tasks, answered inline (no file):
//   transcribe, aud2txt, vid2txt -> "Synthetic transcript of <N>-byte input …"
//   img2txt                     -> OCR-like text naming the image's size
//   prompt-*                    -> the prompt with detail added; a sample prompt
//   txt2embedding               -> {"embedding":[1024 numbers],"dimensions":1024}; for a
//                                  list input {"embeddings":[{"embedding":…},…],"dimensions":1024}
// Deterministic from the seed, the text and the input's bytes. Thread-safe.
#include <boost/json/object.hpp>

#include <cstdint>
#include <string_view>

#include "genq/core/error.hpp"
#include "genq/runner/backends/backend.hpp"
#include "genq/runner/backends/synthetic_steps.hpp"

namespace genq::runner {

inline constexpr int kEmbeddingDimensions = 1024;

Result<Output> run_synthetic_text(const JobSpec& job, const StepPacing& pacing);

// A unit-length vector from `seed` and `text`, six decimals per component.
boost::json::object synthetic_embedding(std::uint64_t seed, std::string_view text);

}  // namespace genq::runner
