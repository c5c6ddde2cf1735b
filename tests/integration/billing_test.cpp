// Balances and the usage ledger (docs/api.md, "Balance and usage"), with --billing:
// refusal with deAPI's 422 errors.balance, one charge per done job at its catalog
// price, nothing for failed or cancelled jobs, top-ups and unlimited clients over the
// admin API and `genq admin`, and the paged usage list.
#include <boost/json/parse.hpp>

#include <cmath>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class Billing : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override { return {"--billing"}; }

  double balance() const {
    const auto answer = api().get("/api/v1/client/balance");
    EXPECT_EQ(answer.status, 200) << answer.describe();
    const boost::json::value document = answer.json();  // json_at points into it
    const auto* value = json_at(document, "/data/balance");
    if (value == nullptr || !value->is_number()) {
      ADD_FAILURE() << "balance is not a number: " << answer.describe();
      return NAN;
    }
    return value->to_number<double>();
  }

  HttpResponse top_up(double amount, const std::string& note = "") const {
    boost::json::object body{{"amount", amount}};
    if (!note.empty()) body["note"] = note;
    return server().admin_http().post_json("/api/v1/admin/clients/" + client().client_id + "/top-up", body);
  }

  double price_of(const JobRequest& request) const {
    const auto answer = request.price(api());
    EXPECT_EQ(answer.status, 200) << answer.describe();
    return json_at(answer.json(), "/data/price")->to_number<double>();
  }

  boost::json::value usage(const std::string& query = "") const {
    const auto answer = api().get("/api/v1/client/usage" + query);
    EXPECT_EQ(answer.status, 200) << answer.describe();
    return answer.json();
  }
};

TEST_F(Billing, ASubmitTheBalanceCannotCoverIsRefusedAsDeapiDoes) {
  EXPECT_EQ(balance(), 0.0);
  const auto refused = requests().minimal("txt2img").submit(api());
  ASSERT_EQ(refused.status, 422) << refused.describe();
  const auto body = refused.json();
  // deAPI's SDK raises InsufficientBalanceError for a 422 whose errors hold "balance".
  EXPECT_EQ(text_at(body, "/message"), "Not enough balance.");
  EXPECT_EQ(text_at(body, "/errors/balance/0"), "Not enough balance.");
  // Pricing a job needs no balance.
  EXPECT_GT(price_of(requests().minimal("txt2img")), 0.0);
}

TEST_F(Billing, TheSecondDialectIsBilledAndRefusedToo) {
  const auto generate = [&] {
    return api().post_json("/api/v1/generateTask/Flux1schnell",
                           boost::json::parse(R"({"request_type":"async",
                               "input":{"mode":"text-to-image","prompt":"a fox"}})"));
  };
  const auto refused = generate();
  ASSERT_EQ(refused.status, 422) << refused.describe();
  EXPECT_EQ(text_at(refused.json(), "/code"), "422");
  EXPECT_EQ(text_at(refused.json(), "/message"), "Not enough balance.");
  ASSERT_EQ(top_up(1.0).status, 200);
  const auto accepted = generate();
  ASSERT_EQ(accepted.status, 200) << accepted.describe();
  const std::string id = text_at(accepted.json(), "/data/taskId").substr(5);
  finish_by_hand(id);
  EXPECT_LT(balance(), 1.0) << "a task is charged when done";
  EXPECT_EQ(text_at(usage(), "/data/0/request_id"), id);
}

TEST_F(Billing, ADoneJobIsChargedItsCatalogPriceOnce) {
  const JobRequest request = requests().minimal("txt2img");
  const double price = price_of(request);
  ASSERT_GT(price, 0.0);
  const auto topped = top_up(1.0, "first credit");
  ASSERT_EQ(topped.status, 200) << topped.describe();
  EXPECT_EQ(json_at(topped.json(), "/data/balance")->to_number<double>(), 1.0);
  EXPECT_EQ(balance(), 1.0);

  const std::string id = submit(request);
  EXPECT_EQ(balance(), 1.0) << "charged when done, not at submit";
  finish_by_hand(id);
  EXPECT_NEAR(balance(), 1.0 - price, 1e-9);

  const auto ledger = usage();
  EXPECT_EQ(text_at(ledger, "/meta/total"), "2");
  const auto& entries = json_at(ledger, "/data")->as_array();
  ASSERT_EQ(entries.size(), 2u);
  const auto& charge = entries[0].as_object();  // newest first
  EXPECT_EQ(charge.at("type"), "charge");
  EXPECT_EQ(charge.at("request_id"), boost::json::value(id));
  EXPECT_EQ(charge.at("task"), "txt2img");
  EXPECT_EQ(charge.at("model"), boost::json::value(request.model));
  EXPECT_NEAR(charge.at("amount").to_number<double>(), -price, 1e-9);
  EXPECT_NEAR(charge.at("price").to_number<double>(), price, 1e-9);
  EXPECT_NEAR(charge.at("balance_after").to_number<double>(), 1.0 - price, 1e-9);
  EXPECT_EQ(charge.at("currency"), "USD");
  const auto& credit = entries[1].as_object();
  EXPECT_EQ(credit.at("type"), "top_up");
  EXPECT_EQ(credit.at("amount").to_number<double>(), 1.0);
  EXPECT_EQ(credit.at("note"), "first credit");
  EXPECT_TRUE(credit.at("request_id").is_null());

  // Reading it again (and restarting) charges nothing more.
  server().restart();
  EXPECT_NEAR(balance(), 1.0 - price, 1e-9);
  EXPECT_EQ(text_at(usage(), "/meta/total"), "2");
}

TEST_F(Billing, FailedAndCancelledJobsAreNotCharged) {
  ASSERT_EQ(top_up(1.0).status, 200);
  const std::string failed = submit(requests().minimal("txt2img"));
  const ManualWorker worker = manual_worker();
  const auto job = worker.claim_job(failed, kJobDeadline);
  ASSERT_TRUE(job);
  ASSERT_EQ(worker.fail(*job, "CUDA out of memory", false).status, 200);
  const std::string cancelled = submit(requests().minimal("txt2img"));
  ASSERT_EQ(api().post_json("/api/v1/client/request-cancel/" + cancelled, boost::json::object{}).status, 200);
  EXPECT_EQ(balance(), 1.0);
  EXPECT_EQ(text_at(usage(), "/meta/total"), "1") << "only the top-up";
}

TEST_F(Billing, AnUnlimitedClientIsNeverRefusedNorDebitedButItsUsageIsKept) {
  const auto set = server().admin_http().post_json("/api/v1/admin/clients/" + client().client_id + "/unlimited",
                                                   boost::json::object{{"unlimited", true}});
  ASSERT_EQ(set.status, 200) << set.describe();
  EXPECT_EQ(text_at(set.json(), "/data/unlimited"), "true");
  const JobRequest request = requests().minimal("txt2img");
  const double price = price_of(request);
  const std::string id = submit(request);
  finish_by_hand(id);
  EXPECT_EQ(balance(), 0.0);
  const auto ledger = usage();
  EXPECT_EQ(text_at(ledger, "/data/0/request_id"), id);
  EXPECT_EQ(json_at(ledger, "/data/0/amount")->to_number<double>(), 0.0);
  EXPECT_NEAR(json_at(ledger, "/data/0/price")->to_number<double>(), price, 1e-9);

  const auto unset = server().admin_http().post_json("/api/v1/admin/clients/" + client().client_id + "/unlimited",
                                                     boost::json::object{{"unlimited", false}});
  ASSERT_EQ(unset.status, 200) << unset.describe();
  EXPECT_EQ(requests().minimal("txt2img").submit(api()).status, 422) << "limited again, with no balance";
}

TEST_F(Billing, TheAdminCommandTopsUpAndSetsUnlimited) {
  const auto topped = run_command({server().binary(), "admin", "top-up", "--data", server().data_dir().string(),
                                   "--client", client().client_id, "--amount", "2.5", "--note", "cli"},
                                  30s);
  ASSERT_EQ(topped.exit_code, 0) << topped.err;
  const auto printed = boost::json::parse(topped.out);
  EXPECT_EQ(json_at(printed, "/balance")->to_number<double>(), 2.5) << topped.out;
  EXPECT_EQ(text_at(printed, "/client_id"), client().client_id);
  // The server reads balances from the file: the change shows at once.
  EXPECT_EQ(balance(), 2.5);
  EXPECT_EQ(requests().minimal("txt2img").submit(api()).status, 200);

  const auto unlimited = run_command({server().binary(), "admin", "set-unlimited", "--data",
                                      server().data_dir().string(), "--client", client().client_id, "--unlimited",
                                      "true"},
                                     30s);
  ASSERT_EQ(unlimited.exit_code, 0) << unlimited.err;
  EXPECT_EQ(text_at(boost::json::parse(unlimited.out), "/unlimited"), "true");
  const auto unknown = run_command({server().binary(), "admin", "top-up", "--data", server().data_dir().string(),
                                    "--client", "no-such-client", "--amount", "1"},
                                   30s);
  EXPECT_NE(unknown.exit_code, 0);
}

TEST_F(Billing, UsageIsPagedLikeTheModelsList) {
  for (int i = 1; i <= 3; ++i) ASSERT_EQ(top_up(i).status, 200);
  const auto first = usage("?per_page=2");
  EXPECT_EQ(text_at(first, "/meta/total"), "3");
  EXPECT_EQ(text_at(first, "/meta/last_page"), "2");
  EXPECT_EQ(text_at(first, "/meta/per_page"), "2");
  EXPECT_EQ(json_at(first, "/data")->as_array().size(), 2u);
  EXPECT_EQ(json_at(first, "/data/0/amount")->to_number<double>(), 3.0) << "newest first";
  EXPECT_NE(text_at(first, "/links/next"), "null");
  const auto second = usage("?page=2&per_page=2");
  EXPECT_EQ(json_at(second, "/data")->as_array().size(), 1u);
  EXPECT_EQ(json_at(second, "/data/0/amount")->to_number<double>(), 1.0);
  EXPECT_EQ(api().get("/api/v1/client/usage?per_page=0").status, 422);
  EXPECT_EQ(server().http().get("/api/v1/client/usage").status, 401);
}

TEST_F(Billing, AdminBalanceRoutesCheckTheirInput) {
  const auto admin = server().admin_http();
  EXPECT_EQ(admin.post_json("/api/v1/admin/clients/nope/top-up", boost::json::object{{"amount", 1}}).status, 404);
  EXPECT_EQ(top_up(0).status, 422);
  EXPECT_EQ(admin.post_json("/api/v1/admin/clients/" + client().client_id + "/top-up",
                            boost::json::object{{"amount", "ten"}}).status,
            422);
  EXPECT_EQ(admin.post_json("/api/v1/admin/clients/" + client().client_id + "/unlimited",
                            boost::json::object{{"unlimited", "yes"}}).status,
            422);
  const auto read = admin.get("/api/v1/admin/clients/" + client().client_id + "/balance");
  ASSERT_EQ(read.status, 200) << read.describe();
  EXPECT_EQ(text_at(read.json(), "/data/billing_enabled"), "true");
  EXPECT_EQ(api().post_json("/api/v1/admin/clients/" + client().client_id + "/top-up",
                            boost::json::object{{"amount", 5}}).status,
            401)
      << "a client cannot top itself up";
}

}  // namespace
}  // namespace genq::testing
