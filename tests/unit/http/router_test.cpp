#include "genq/http/router.hpp"

#include <gtest/gtest.h>

namespace genq::http {
namespace {

Router make_router() {
  Router router;
  auto noop = [](Request&, Reply) {};
  router.add({Verb::get, "/api/v1/client/models", noop, Exec::Inline, 0, false, "models"});
  router.add({Verb::get, "/api/v1/client/request-status/{request_id}", noop, Exec::Inline, 0, false, "status"});
  router.add({Verb::post, "/api/v1/client/{task}", noop, Exec::Pool, 0, false, "submit"});
  router.add({Verb::post, "/api/v1/client/{task}/price-calculation", noop, Exec::Inline, 0, false, "price"});
  return router;
}

TEST(Router, LiteralRouteWinsOverParameter) {
  Router router = make_router();
  Match m = router.match(Verb::get, "/api/v1/client/models");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->name, "models");
}

TEST(Router, ParametersAreCaptured) {
  Router router = make_router();
  Match m = router.match(Verb::post, "/api/v1/client/txt2img/price-calculation");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->name, "price");
  EXPECT_EQ(m.params.at("task"), "txt2img");
}

TEST(Router, WrongMethodListsAllowedMethods) {
  Router router = make_router();
  Match m = router.match(Verb::delete_, "/api/v1/client/request-status/abc");
  EXPECT_EQ(m.route, nullptr);
  ASSERT_EQ(m.allowed.size(), 1u);
  EXPECT_EQ(m.allowed[0], Verb::get);
}

TEST(Router, UnknownPathMatchesNothing) {
  Router router = make_router();
  Match m = router.match(Verb::get, "/nope");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed.empty());
}

TEST(Router, EmptyParameterSegmentDoesNotMatch) {
  Router router = make_router();
  EXPECT_EQ(router.match(Verb::get, "/api/v1/client/request-status/").route, nullptr);
}

TEST(Router, HeadIsServedByGetRoutes) {
  Router router = make_router();
  EXPECT_NE(router.match(Verb::head, "/api/v1/client/models").route, nullptr);
}

}  // namespace
}  // namespace genq::http
