// The web playground (docs/playground.md): GET / and GET /ui/{name} serve web/ as it was
// built, each file with its type, no-cache, nosniff and a policy that lets the page load
// nothing but genq's own files and talk to nothing but genq; unknown files are 404.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kWebDir = fs::path(GENQ_SOURCE_DIR) / "web";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class WebApp : public GenqTest {
 protected:
  // "127.0.0.1:PORT", the Host curl sends.
  std::string host() const { return server().http().base_url().substr(std::string("http://").size()); }

  void expect_page_headers(const HttpResponse& r, const std::string& type) const {
    EXPECT_EQ(r.header("content-type").value_or(""), type) << r.describe();
    EXPECT_EQ(r.header("cache-control").value_or(""), "no-cache");
    EXPECT_EQ(r.header("x-content-type-options").value_or(""), "nosniff");
    const std::string csp = r.header("content-security-policy").value_or("");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
    EXPECT_NE(csp.find("style-src 'self';"), std::string::npos) << csp;
    EXPECT_NE(csp.find("connect-src 'self' ws://" + host() + " wss://" + host() + ";"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << "no inline code or eval: " << csp;
    EXPECT_EQ(csp.find("http"), std::string::npos) << "no other origin: " << csp;
  }
};

TEST_F(WebApp, RootServesTheEmbeddedPageWithoutCredentials) {
  const auto r = server().http().get("/");
  ASSERT_EQ(r.status, 200) << r.describe();
  expect_page_headers(r, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, read_file(kWebDir / "index.html"));
  EXPECT_NE(r.body.find(R"(<script type="module" src="/ui/main.js">)"), std::string::npos);
}

TEST_F(WebApp, EveryFileUnderUiIsServedWithItsType) {
  int served = 0;
  for (const auto& entry : fs::directory_iterator(kWebDir / "ui")) {
    const std::string name = entry.path().filename().string();
    const std::string ext = entry.path().extension().string();
    const std::string type = ext == ".js" ? "text/javascript; charset=utf-8"
                             : ext == ".css" ? "text/css; charset=utf-8"
                                             : "image/svg+xml";
    const auto r = server().http().get("/ui/" + name);
    ASSERT_EQ(r.status, 200) << name << ": " << r.describe();
    expect_page_headers(r, type);
    EXPECT_EQ(r.body, read_file(entry.path())) << name << " is served as built";
    ++served;
  }
  EXPECT_GE(served, 8) << "the page's scripts and style";
}

TEST_F(WebApp, EveryAssetThePageNamesExists) {
  const std::string page = server().http().get("/").body;
  const std::regex asset(R"re((?:src|href)="(/ui/[^"]+)")re");
  int checked = 0;
  for (std::sregex_iterator it(page.begin(), page.end(), asset), end; it != end; ++it) {
    const std::string path = (*it)[1];
    if (path == "/ui/pusher.min.js") continue;  // optional: next test
    EXPECT_EQ(server().http().get(path).status, 200) << path;
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

TEST_F(WebApp, PusherJsIsServedWhenTheBuildHadIt) {
  const fs::path pusher = kWebDir / "node_modules/pusher-js/dist/web/pusher.min.js";
  const auto r = server().http().get("/ui/pusher.min.js");
  if (!fs::exists(pusher)) {
    EXPECT_EQ(r.status, 404) << "built without pusher-js: the page polls";
    GTEST_SKIP() << "web/node_modules lacks pusher-js (npm ci in web/): only the fallback was checked";
  }
  ASSERT_EQ(r.status, 200) << r.describe();
  expect_page_headers(r, "text/javascript; charset=utf-8");
  EXPECT_EQ(r.body, read_file(pusher));
}

TEST_F(WebApp, UnknownAssetsAreNotFound) {
  for (const char* path : {"/ui/nope.js", "/ui/index.html", "/ui/%2e%2e%2fCMakeLists.txt", "/index.html"}) {
    const auto r = server().http().get(path);
    EXPECT_EQ(r.status, 404) << path << ": " << r.describe();
    EXPECT_EQ(r.header("content-type").value_or(""), "application/json") << path;
  }
  EXPECT_EQ(server().http().post_json("/", boost::json::object{}).status, 405);
}

TEST_F(WebApp, AHostThatIsNotPlainLeavesOnlySelf) {
  const auto r = server().http().get("/", {{"Host", "evil.example;script-src *"}});
  ASSERT_EQ(r.status, 200) << r.describe();
  const std::string csp = r.header("content-security-policy").value_or("");
  EXPECT_NE(csp.find("connect-src 'self';"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("evil"), std::string::npos) << csp;
}

}  // namespace
}  // namespace genq::testing
