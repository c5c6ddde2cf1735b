#pragma once
// deAPI's official SDK spells some inputs differently from genq's catalog; this
// turns its spellings into genq's before validation, so both work (docs/api.md,
// "deAPI SDK compatibility"):
// - files sent as `images[]` (several parts) arrive as `images`;
// - form fields `loras[0][name]`, `loras[0][weight]`, … become the `loras` list;
// - transcribe's `source_file` is the `audio` or the `video` file, by its type;
// - img2video's `first_frame_image` is the `image` file;
// - URL inputs (transcribe `source_url`, vid2txt `video_url`, aud2txt `audio_url`)
//   leave the body and come back as UrlInputs: the caller downloads them into the
//   file parameter they stand for.
// Pure.
#include <string>
#include <vector>

#include "genq/api/request_body.hpp"
#include "genq/catalog/catalog.hpp"

namespace genq::api {

struct UrlInput {
  std::string field;   // as sent: "source_url"
  std::string target;  // the file parameter it fills: "video"
  std::string url;
};

struct SdkFields {
  std::vector<UrlInput> urls;
  catalog::FieldErrors errors;  // a URL field that is not a string, a file sent under two names
};

SdkFields adopt_sdk_fields(const std::string& task, SubmitBody& body);

}  // namespace genq::api
