#pragma once
// The SSRF guard's core (SPEC §4): which IP addresses a webhook may connect to.
// Loopback, private, shared (CGNAT), link-local, multicast, unspecified, broadcast and
// reserved addresses are refused, in IPv4, in IPv6 and in IPv6 forms that embed an
// IPv4 address (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64
// 64:ff9b::/96, 6to4 2002::/16), unless the operator allows private targets
// (--webhook-allow-private) or lists their networks (--webhook-allow-cidr).
//
// Pure: no DNS, no sockets. AddressPolicy is immutable once built, so thread-safe.
#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace genq::webhook {

enum class AddressClass {
  Public,
  Loopback,     // 127/8, ::1
  Private,      // 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10 (site-local)
  Shared,       // 100.64/10 (carrier-grade NAT)
  LinkLocal,    // 169.254/16, fe80::/10
  Multicast,    // 224/4, ff00::/8
  Unspecified,  // 0/8, ::
  Reserved,     // 240/4 incl. 255.255.255.255, 192.0.0/24, 198.18/15, documentation ranges
};

std::string_view to_string(AddressClass c);
// "a loopback address", "an unspecified address": a refused kind in a sentence.
std::string address_of_kind(std::string_view kind);

// The class of `address`; IPv6 forms embedding an IPv4 address are classed by it.
AddressClass classify(const boost::asio::ip::address& address);

// An address network such as 10.0.0.0/8 or fd00::/8.
class Cidr {
 public:
  // nullopt unless `text` is ADDRESS/PREFIX (or a bare address: a /32 or /128).
  static std::optional<Cidr> parse(std::string_view text);
  // True if `address` lies inside; an IPv4-mapped IPv6 address matches IPv4 networks.
  bool contains(const boost::asio::ip::address& address) const;

 private:
  Cidr(boost::asio::ip::address network, int prefix) : network_(network), prefix_(prefix) {}
  boost::asio::ip::address network_;
  int prefix_;
};

class AddressPolicy {
 public:
  AddressPolicy() = default;
  AddressPolicy(bool allow_private, std::vector<Cidr> allowed)
      : allow_private_(allow_private), allowed_(std::move(allowed)) {}

  // nullopt if a delivery may connect to `address`, else why not, for the client, e.g.
  // "it resolved to a loopback address" (without the address).
  std::optional<std::string> refusal(const boost::asio::ip::address& address) const;
  // The kind of a refused address ("loopback", "private", …), or nullopt if allowed:
  // refusal() without the address, for answers to clients, who must not learn what a
  // name resolves to inside the network.
  std::optional<std::string_view> refused_kind(const boost::asio::ip::address& address) const;
  bool allow_private() const { return allow_private_; }

 private:
  bool allow_private_ = false;
  std::vector<Cidr> allowed_;  // allowed even when private
};

}  // namespace genq::webhook
