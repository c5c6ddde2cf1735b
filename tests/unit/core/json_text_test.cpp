#include "genq/core/json_text.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace genq {
namespace {

TEST(JsonText, WritesDoublesInPlainDecimal) {
  const boost::json::object doc{{"price", 0.005}, {"guidance", 3.5}, {"progress", 100.0}, {"small", -0.25}};
  EXPECT_EQ(json_text(doc), R"({"price":0.005,"guidance":3.5,"progress":100,"small":-0.25})");
}

TEST(JsonText, LeavesIntegersAndStringsThatLookLikeNumbersAlone) {
  const boost::json::object doc{{"seed", 4294967295}, {"text", "1E2 and \"5E-3\""}, {"Error", "E"}};
  EXPECT_EQ(json_text(doc), R"({"seed":4294967295,"text":"1E2 and \"5E-3\"","Error":"E"})");
}

TEST(JsonText, NestedArraysAndEscapedBackslashesBeforeQuotes) {
  const boost::json::value doc = boost::json::parse(R"({"a":[1.5,{"b":"x\\"},2.25],"c":"\\\\"})");
  const std::string text = json_text(doc);
  EXPECT_EQ(text, R"({"a":[1.5,{"b":"x\\"},2.25],"c":"\\\\"})");
  EXPECT_EQ(boost::json::parse(text), doc);
}

TEST(JsonText, ExtremeMagnitudesStayValidJson) {
  const boost::json::array doc{1e300, 1e-300, 1e21};
  const std::string text = json_text(doc);
  EXPECT_EQ(boost::json::parse(text), boost::json::value(doc)) << text;
}

}  // namespace
}  // namespace genq
