#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <map>

#include "genq/runner/backends/arg_template.hpp"
#include "genq/runner/backends/job_values.hpp"

namespace genq::runner {
namespace {

ArgTemplate::Lookup from(std::map<std::string, std::string, std::less<>> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    const auto found = values.find(name);
    return found == values.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
}

std::string expand(std::string_view text, const ArgTemplate::Lookup& lookup) {
  auto parsed = ArgTemplate::parse(text);
  EXPECT_TRUE(parsed) << parsed.error().message;
  auto expanded = parsed->expand(lookup);
  EXPECT_TRUE(expanded) << expanded.error().message;
  return expanded.value_or("<failed>");
}

TEST(ArgTemplate, FillsPlaceholdersInsideOneArgument) {
  EXPECT_EQ(expand("scale=iw*{scale}:ih*{scale}", from({{"scale", "3"}})), "scale=iw*3:ih*3");
}

TEST(ArgTemplate, AValueWithSpacesAndShellCharactersStaysVerbatim) {
  // No shell ever sees it, so nothing is quoted, split or interpreted.
  const std::string hostile = "a b; rm -rf / $(reboot) `x` \"q\" 'p' | > <";
  EXPECT_EQ(expand("{prompt}", from({{"prompt", hostile}})), hostile);
}

TEST(ArgTemplate, DoubledBracesAreLiteralBraces) {
  EXPECT_EQ(expand("{{not}} {x}", from({{"x", "1"}})), "{not} 1");
}

TEST(ArgTemplate, AlternativesTakeTheFirstThatHasAValue) {
  EXPECT_EQ(expand("{input.audio|input.video}", from({{"input.video", "/jobs/v.mp4"}})), "/jobs/v.mp4");
  EXPECT_EQ(expand("{input.audio|input.video}", from({{"input.audio", "/jobs/a"}, {"input.video", "/jobs/v"}})), "/jobs/a");
}

TEST(ArgTemplate, AMissingValueIsAnErrorNamingThePlaceholder) {
  auto parsed = ArgTemplate::parse("-s {speed}");
  ASSERT_TRUE(parsed);
  auto expanded = parsed->expand(from({}));
  ASSERT_FALSE(expanded);
  EXPECT_EQ(expanded.error().kind, ErrorKind::Invalid);
  EXPECT_NE(expanded.error().message.find("speed"), std::string::npos) << expanded.error().message;
}

TEST(ArgTemplate, MalformedTemplatesAreRejected) {
  for (const char* bad : {"{unclosed", "stray}", "{}", "{a|}", "{with space}", "{a$b}"}) {
    auto parsed = ArgTemplate::parse(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_EQ(parsed.error().kind, ErrorKind::Invalid) << bad;
    }
  }
}

TEST(ArgTemplate, SolePlaceholderIsReportedOnlyForAWholeStringPlaceholder) {
  EXPECT_EQ(ArgTemplate::parse("{steps}")->sole_placeholder(), (std::vector<std::string>{"steps"}));
  EXPECT_TRUE(ArgTemplate::parse("{steps}x")->sole_placeholder().empty());
  EXPECT_TRUE(ArgTemplate::parse("plain")->sole_placeholder().empty());
}

TEST(JobValues, ParamsInputsAndBuiltInsHaveTheirText) {
  JobSpec job;
  job.job_id = "j1";
  job.model = "Tool";
  job.task = "img2txt";
  job.work_dir = "/jobs/j1";
  job.inputs.emplace("image", "/jobs/j1/input-image");
  job.params = boost::json::parse(R"({"width":512,"zoom":1.5,"whole":2.0,"flag":true,"text":"hi","none":null})")
                   .as_object();
  const JobValues values(job, "/jobs/j1/out.png");
  EXPECT_EQ(values.text("width"), "512");
  EXPECT_EQ(values.text("zoom"), "1.5");
  EXPECT_EQ(values.text("whole"), "2");
  EXPECT_EQ(values.text("flag"), "true");
  EXPECT_EQ(values.text("text"), "hi");
  EXPECT_EQ(values.text("none"), std::nullopt);
  EXPECT_EQ(values.text("absent"), std::nullopt);
  EXPECT_EQ(values.text("input.image"), "/jobs/j1/input-image");
  EXPECT_EQ(values.text("input.audio"), std::nullopt);
  EXPECT_EQ(values.text("output"), "/jobs/j1/out.png");
  EXPECT_EQ(values.text("dir"), "/jobs/j1");
  EXPECT_EQ(values.text("job_id"), "j1");
}

TEST(JobValues, LoadTimeCheckRejectsPlaceholdersTheModelCannotFill) {
  catalog::ModelSpec model;
  model.name = "Tool";
  catalog::ParamSpec text;
  text.name = "text";
  catalog::ParamSpec image;
  image.name = "image";
  image.type = catalog::ParamType::File;
  model.params = {text, image};
  for (const char* good : {"{text}", "{input.image}", "{output}", "{dir}/x", "{job_id}", "{text|output}"}) {
    EXPECT_TRUE(check_placeholders(*ArgTemplate::parse(good), model)) << good;
  }
  for (const char* bad : {"{prompt}", "{image}", "{input.text}", "{input.audio}", "{text|nope}"}) {
    EXPECT_FALSE(check_placeholders(*ArgTemplate::parse(bad), model)) << bad;
  }
}

}  // namespace
}  // namespace genq::runner
