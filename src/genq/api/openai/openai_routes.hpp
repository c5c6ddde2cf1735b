#pragma once
// An OpenAI-compatible gateway under /v1 (docs/openai.md), so code written for the
// official OpenAI SDKs runs on genq with only its base URL changed:
//   GET  /v1/models
//   POST /v1/embeddings            -> a txt2embedding job
//   POST /v1/images/generations    -> n txt2img jobs
//   POST /v1/images/edits          -> n img2img jobs (multipart image)
//   POST /v1/audio/speech          -> a txt2audio job; answers the audio bytes
//   POST /v1/audio/transcriptions  -> a transcribe job (multipart `file`)
// Each call is a job like any other (queued, claimed by a worker, charged, visible in
// request-status); the request waits for it in JobWaiters, holding no thread, up to
// --prompt-wait-s. Same API keys (Authorization: Bearer); OpenAI's error shape.
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api::openai {

void add_openai_routes(http::Router& router, Services& services);

}  // namespace genq::api::openai
