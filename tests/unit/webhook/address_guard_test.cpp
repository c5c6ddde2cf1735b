// The SSRF guard's core: address classes in IPv4, IPv6 and IPv6 forms embedding
// IPv4, CIDR allow lists, and the submit-time URL check on address literals.
#include <gtest/gtest.h>

#include "genq/webhook/address_guard.hpp"
#include "genq/webhook/target_check.hpp"

namespace genq::webhook {
namespace {

AddressClass class_of(const std::string& text) { return classify(boost::asio::ip::make_address(text)); }

TEST(AddressGuard, ClassifiesIpv4SpecialRanges) {
  EXPECT_EQ(class_of("127.0.0.1"), AddressClass::Loopback);
  EXPECT_EQ(class_of("127.255.255.254"), AddressClass::Loopback);
  EXPECT_EQ(class_of("10.1.2.3"), AddressClass::Private);
  EXPECT_EQ(class_of("172.16.0.1"), AddressClass::Private);
  EXPECT_EQ(class_of("172.31.255.255"), AddressClass::Private);
  EXPECT_EQ(class_of("192.168.1.1"), AddressClass::Private);
  EXPECT_EQ(class_of("100.64.0.1"), AddressClass::Shared);
  EXPECT_EQ(class_of("169.254.169.254"), AddressClass::LinkLocal);  // cloud metadata
  EXPECT_EQ(class_of("224.0.0.1"), AddressClass::Multicast);
  EXPECT_EQ(class_of("0.0.0.0"), AddressClass::Unspecified);
  EXPECT_EQ(class_of("255.255.255.255"), AddressClass::Reserved);
  EXPECT_EQ(class_of("198.18.0.1"), AddressClass::Reserved);
}

TEST(AddressGuard, PublicIpv4IsPublicIncludingNeighboursOfPrivateRanges) {
  EXPECT_EQ(class_of("8.8.8.8"), AddressClass::Public);
  EXPECT_EQ(class_of("172.15.255.255"), AddressClass::Public);
  EXPECT_EQ(class_of("172.32.0.0"), AddressClass::Public);
  EXPECT_EQ(class_of("100.128.0.0"), AddressClass::Public);
  EXPECT_EQ(class_of("11.0.0.1"), AddressClass::Public);
}

TEST(AddressGuard, ClassifiesIpv6SpecialRanges) {
  EXPECT_EQ(class_of("::1"), AddressClass::Loopback);
  EXPECT_EQ(class_of("::"), AddressClass::Unspecified);
  EXPECT_EQ(class_of("fc00::1"), AddressClass::Private);
  EXPECT_EQ(class_of("fd12:3456::1"), AddressClass::Private);
  EXPECT_EQ(class_of("fe80::1"), AddressClass::LinkLocal);
  EXPECT_EQ(class_of("ff02::1"), AddressClass::Multicast);
  EXPECT_EQ(class_of("2001:db8::1"), AddressClass::Reserved);
  EXPECT_EQ(class_of("2606:4700::1111"), AddressClass::Public);
}

TEST(AddressGuard, Ipv4MappedIpv6IsClassedByItsIpv4Address) {
  EXPECT_EQ(class_of("::ffff:127.0.0.1"), AddressClass::Loopback);
  EXPECT_EQ(class_of("::ffff:7f00:1"), AddressClass::Loopback);
  EXPECT_EQ(class_of("::ffff:10.0.0.1"), AddressClass::Private);
  EXPECT_EQ(class_of("::ffff:169.254.169.254"), AddressClass::LinkLocal);
  EXPECT_EQ(class_of("::ffff:8.8.8.8"), AddressClass::Public);
}

TEST(AddressGuard, OtherIpv6FormsEmbeddingIpv4AreClassedByIt) {
  EXPECT_EQ(class_of("::127.0.0.1"), AddressClass::Loopback);        // IPv4-compatible
  EXPECT_EQ(class_of("64:ff9b::a00:1"), AddressClass::Private);      // NAT64 of 10.0.0.1
  EXPECT_EQ(class_of("64:ff9b::808:808"), AddressClass::Public);     // NAT64 of 8.8.8.8
  EXPECT_EQ(class_of("2002:7f00:1::1"), AddressClass::Loopback);     // 6to4 of 127.0.0.1
  EXPECT_EQ(class_of("2002:c0a8:101::1"), AddressClass::Private);    // 6to4 of 192.168.1.1
}

TEST(AddressGuard, PolicyRefusesNonPublicAddressesWithAReason) {
  const AddressPolicy policy;
  EXPECT_FALSE(policy.refusal(boost::asio::ip::make_address("8.8.8.8")));
  const auto why = policy.refusal(boost::asio::ip::make_address("::ffff:127.0.0.1"));
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "it resolved to a loopback address");  // the kind, never the address
}

TEST(AddressGuard, AllowPrivateAllowsEverything) {
  const AddressPolicy policy(true, {});
  for (const char* a : {"127.0.0.1", "10.0.0.1", "::1", "fe80::1", "::ffff:192.168.0.1"}) {
    EXPECT_FALSE(policy.refusal(boost::asio::ip::make_address(a))) << a;
  }
}

TEST(AddressGuard, CidrAllowListOpensOnlyItsNetworks) {
  const AddressPolicy policy(false, {*Cidr::parse("10.1.0.0/16"), *Cidr::parse("fd00::/8")});
  EXPECT_FALSE(policy.refusal(boost::asio::ip::make_address("10.1.2.3")));
  EXPECT_FALSE(policy.refusal(boost::asio::ip::make_address("::ffff:10.1.2.3")));  // mapped form too
  EXPECT_FALSE(policy.refusal(boost::asio::ip::make_address("fd00::5")));
  EXPECT_TRUE(policy.refusal(boost::asio::ip::make_address("10.2.0.1")));
  EXPECT_TRUE(policy.refusal(boost::asio::ip::make_address("127.0.0.1")));
  EXPECT_TRUE(policy.refusal(boost::asio::ip::make_address("fc00::1")));
}

TEST(AddressGuard, CidrParsing) {
  EXPECT_TRUE(Cidr::parse("127.0.0.1"));  // a single address
  EXPECT_TRUE(Cidr::parse("0.0.0.0/0"));
  EXPECT_TRUE(Cidr::parse("::1/128"));
  EXPECT_FALSE(Cidr::parse("10.0.0.0/33"));
  EXPECT_FALSE(Cidr::parse("10.0.0.0/"));
  EXPECT_FALSE(Cidr::parse("10.0.0.0/8x"));
  EXPECT_FALSE(Cidr::parse("example.com/8"));
  EXPECT_TRUE(Cidr::parse("127.0.0.1/32")->contains(boost::asio::ip::make_address("127.0.0.1")));
  EXPECT_FALSE(Cidr::parse("127.0.0.1/32")->contains(boost::asio::ip::make_address("127.0.0.2")));
}

TEST(TargetCheck, RefusesUrlsOnNonPublicAddressLiterals) {
  const AddressPolicy policy;
  for (const char* url : {"http://127.0.0.1:8080/hook", "https://[::1]/hook", "https://[::ffff:127.0.0.1]/x",
                          "https://169.254.169.254/latest/meta-data", "https://10.0.0.8/x", "https://0.0.0.0/x"}) {
    EXPECT_TRUE(target_refusal(url, policy)) << url;
  }
  EXPECT_FALSE(target_refusal("https://8.8.8.8/hook", policy));
  EXPECT_FALSE(target_refusal("https://[2606:4700::1111]/hook", policy));
}

TEST(TargetCheck, RefusesNamesThatResolveToLoopback) {
  // localhost resolves from /etc/hosts; no network is involved.
  EXPECT_TRUE(target_refusal("http://localhost:9/hook", AddressPolicy()));
}

TEST(TargetCheck, AllowPrivateSkipsTheCheck) {
  EXPECT_FALSE(target_refusal("http://127.0.0.1:8080/hook", AddressPolicy(true, {})));
}

}  // namespace
}  // namespace genq::webhook
