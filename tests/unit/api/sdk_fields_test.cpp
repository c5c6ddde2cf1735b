// adopt_sdk_fields: deAPI SDK spellings turned into catalog parameter names.
#include "genq/api/sdk_fields.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace genq::api {
namespace {

namespace json = boost::json;

http::FormPart file(std::string name, std::string filename, std::string type = "") {
  http::FormPart p;
  p.name = std::move(name);
  p.filename = std::move(filename);
  p.content_type = std::move(type);
  p.data = "bytes";
  return p;
}

std::vector<std::string> names(const SubmitBody& body) { return body.file_names(); }

TEST(SdkFields, SourceFileIsVideoOrAudioByItsType) {
  SubmitBody video;
  video.files = {file("source_file", "clip.bin", "video/mp4")};
  EXPECT_TRUE(adopt_sdk_fields("transcribe", video).errors.empty());
  EXPECT_EQ(names(video), std::vector<std::string>{"video"});

  SubmitBody by_name;
  by_name.files = {file("source_file", "Talk.MOV", "application/octet-stream")};
  adopt_sdk_fields("transcribe", by_name);
  EXPECT_EQ(names(by_name), std::vector<std::string>{"video"});

  SubmitBody audio;
  audio.files = {file("source_file", "source_file.bin")};
  adopt_sdk_fields("transcribe", audio);
  EXPECT_EQ(names(audio), std::vector<std::string>{"audio"});

  SubmitBody other_task;
  other_task.files = {file("source_file", "a.wav", "audio/wav")};
  adopt_sdk_fields("aud2txt", other_task);
  EXPECT_EQ(names(other_task), std::vector<std::string>{"source_file"}) << "only transcribe takes source_file";
}

TEST(SdkFields, FirstFrameImageIsTheImageOfImg2video) {
  SubmitBody body;
  body.files = {file("first_frame_image", "a.png"), file("last_frame_image", "b.png")};
  adopt_sdk_fields("img2video", body);
  EXPECT_EQ(names(body), (std::vector<std::string>{"image", "last_frame_image"}));

  SubmitBody both;
  both.files = {file("first_frame_image", "a.png"), file("image", "b.png")};
  SdkFields out = adopt_sdk_fields("img2video", both);
  ASSERT_FALSE(out.errors.empty());
  EXPECT_EQ(out.errors.first(), "The first frame image field cannot be sent together with image.");

  SubmitBody aud2video;
  aud2video.files = {file("first_frame_image", "a.png")};
  adopt_sdk_fields("aud2video", aud2video);
  EXPECT_EQ(names(aud2video), std::vector<std::string>{"first_frame_image"});
}

TEST(SdkFields, ListPartsAndIndexedFormFields) {
  SubmitBody body;
  body.from_form = true;
  body.files = {file("images[]", "a.png"), file("images[]", "b.png")};
  body.fields = {{"prompt", "p"}, {"loras[1][name]", "b"}, {"loras[0][name]", "a"}, {"loras[0][weight]", "0.5"},
                 {"loras[1][weight]", "1"}};
  adopt_sdk_fields("img2img", body);
  EXPECT_EQ(names(body), (std::vector<std::string>{"images", "images"}));
  EXPECT_EQ(json::value(body.fields), json::parse(R"({"prompt":"p","loras":[{"name":"a","weight":"0.5"},
                                                                            {"name":"b","weight":"1"}]})"));

  SubmitBody json_body;  // JSON bodies carry lists as lists: brackets in a key stay as sent
  json_body.fields = {{"loras[0][name]", "a"}};
  adopt_sdk_fields("txt2img", json_body);
  EXPECT_TRUE(json_body.fields.contains("loras[0][name]"));
}

TEST(SdkFields, UrlFieldsLeaveTheBodyAsDownloads) {
  SubmitBody body;
  body.fields = {{"model", "m"}, {"source_url", "https://example.com/talk.mp4"}, {"include_ts", true}};
  SdkFields out = adopt_sdk_fields("transcribe", body);
  ASSERT_TRUE(out.errors.empty());
  ASSERT_EQ(out.urls.size(), 1u);
  EXPECT_EQ(out.urls[0].field, "source_url");
  EXPECT_EQ(out.urls[0].target, "video");
  EXPECT_EQ(out.urls[0].url, "https://example.com/talk.mp4");
  EXPECT_FALSE(body.fields.contains("source_url"));

  SubmitBody spaces;
  spaces.fields = {{"source_url", "https://x.com/i/spaces/1OyKAVwqXLoGb"}};
  EXPECT_EQ(adopt_sdk_fields("transcribe", spaces).urls.at(0).target, "audio");

  SubmitBody audio;
  audio.fields = {{"audio_url", "https://example.com/a.mp3"}};
  EXPECT_EQ(adopt_sdk_fields("aud2txt", audio).urls.at(0).target, "audio");

  SubmitBody wrong_task;
  wrong_task.fields = {{"audio_url", "https://example.com/a.mp3"}};
  EXPECT_TRUE(adopt_sdk_fields("vid2txt", wrong_task).urls.empty());
  EXPECT_TRUE(wrong_task.fields.contains("audio_url")) << "left for validation to refuse";

  SubmitBody not_text;
  not_text.fields = {{"video_url", 5}};
  SdkFields bad = adopt_sdk_fields("vid2txt", not_text);
  ASSERT_FALSE(bad.errors.empty());
  EXPECT_EQ(bad.errors.first(), "The video url field must be a string.");

  SubmitBody twice;
  twice.files = {file("video", "v.mp4", "video/mp4")};
  twice.fields = {{"video_url", "https://example.com/v.mp4"}};
  EXPECT_FALSE(adopt_sdk_fields("vid2txt", twice).errors.empty());

  SubmitBody null_url;
  null_url.fields = {{"source_url", nullptr}};
  EXPECT_TRUE(adopt_sdk_fields("transcribe", null_url).urls.empty());
}

}  // namespace
}  // namespace genq::api
