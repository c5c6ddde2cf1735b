#include "genq/webhook/address_guard.hpp"

#include <array>
#include <charconv>
#include <cstdint>

namespace genq::webhook {
namespace {

using boost::asio::ip::address;
using boost::asio::ip::address_v4;
using boost::asio::ip::address_v6;

bool in_v4(std::uint32_t a, std::uint32_t network, int prefix) {
  const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return (a & mask) == (network & mask);
}

constexpr std::uint32_t v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return (std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d;
}

AddressClass classify_v4(std::uint32_t a) {
  struct Range {
    std::uint32_t network;
    int prefix;
    AddressClass cls;
  };
  // RFC 6890's special-purpose registry, the parts a webhook must never reach.
  static constexpr Range kRanges[] = {
      {v4(0, 0, 0, 0), 8, AddressClass::Unspecified},   {v4(127, 0, 0, 0), 8, AddressClass::Loopback},
      {v4(10, 0, 0, 0), 8, AddressClass::Private},      {v4(172, 16, 0, 0), 12, AddressClass::Private},
      {v4(192, 168, 0, 0), 16, AddressClass::Private},  {v4(100, 64, 0, 0), 10, AddressClass::Shared},
      {v4(169, 254, 0, 0), 16, AddressClass::LinkLocal}, {v4(224, 0, 0, 0), 4, AddressClass::Multicast},
      {v4(240, 0, 0, 0), 4, AddressClass::Reserved},    {v4(192, 0, 0, 0), 24, AddressClass::Reserved},
      {v4(192, 0, 2, 0), 24, AddressClass::Reserved},   {v4(198, 51, 100, 0), 24, AddressClass::Reserved},
      {v4(203, 0, 113, 0), 24, AddressClass::Reserved}, {v4(198, 18, 0, 0), 15, AddressClass::Reserved},
  };
  for (const Range& range : kRanges) {
    if (in_v4(a, range.network, range.prefix)) {
      return range.cls;
    }
  }
  return AddressClass::Public;
}

std::uint32_t v4_at(const address_v6::bytes_type& b, std::size_t i) {
  return (std::uint32_t{b[i]} << 24) | (std::uint32_t{b[i + 1]} << 16) | (std::uint32_t{b[i + 2]} << 8) | b[i + 3];
}

bool zeros(const address_v6::bytes_type& b, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    if (b[i] != 0) {
      return false;
    }
  }
  return true;
}

// The IPv4 address an IPv6 address carries by a translation scheme, if any.
std::optional<std::uint32_t> embedded_v4(const address_v6::bytes_type& b) {
  if (zeros(b, 0, 10) && b[10] == 0xff && b[11] == 0xff) {
    return v4_at(b, 12);  // IPv4-mapped ::ffff:a.b.c.d
  }
  if (zeros(b, 0, 12)) {
    return v4_at(b, 12);  // IPv4-compatible ::a.b.c.d (deprecated, still routable by some stacks)
  }
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && zeros(b, 4, 12)) {
    return v4_at(b, 12);  // NAT64 well-known prefix 64:ff9b::/96
  }
  if (b[0] == 0x20 && b[1] == 0x02) {
    return v4_at(b, 2);  // 6to4 2002:AABB:CCDD::/48
  }
  return std::nullopt;
}

AddressClass classify_v6(const address_v6::bytes_type& b) {
  if (zeros(b, 0, 16)) {
    return AddressClass::Unspecified;
  }
  if (zeros(b, 0, 15) && b[15] == 1) {
    return AddressClass::Loopback;
  }
  if (std::optional<std::uint32_t> inner = embedded_v4(b)) {
    return classify_v4(*inner);
  }
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0x00 && b[5] == 0x01) {
    return AddressClass::Private;  // 64:ff9b:1::/48, local-use NAT64 (RFC 8215)
  }
  if ((b[0] & 0xfe) == 0xfc) {
    return AddressClass::Private;  // fc00::/7 unique local
  }
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) {
    return AddressClass::LinkLocal;  // fe80::/10
  }
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) {
    return AddressClass::Private;  // fec0::/10 site-local (deprecated)
  }
  if (b[0] == 0xff) {
    return AddressClass::Multicast;
  }
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) {
    return AddressClass::Reserved;  // 2001:db8::/32 documentation
  }
  if (b[0] == 0x01 && zeros(b, 1, 8)) {
    return AddressClass::Reserved;  // 100::/64 discard-only
  }
  return AddressClass::Public;
}

bool prefix_matches(const address_v6::bytes_type& a, const address_v6::bytes_type& n, int prefix) {
  int bits = prefix;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if ((a[i] & mask) != (n[i] & mask)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view to_string(AddressClass c) {
  switch (c) {
    case AddressClass::Public: return "public";
    case AddressClass::Loopback: return "loopback";
    case AddressClass::Private: return "private";
    case AddressClass::Shared: return "shared (carrier-grade NAT)";
    case AddressClass::LinkLocal: return "link-local";
    case AddressClass::Multicast: return "multicast";
    case AddressClass::Unspecified: return "unspecified";
    case AddressClass::Reserved: return "reserved";
  }
  return "reserved";
}

std::string address_of_kind(std::string_view kind) {
  const bool vowel = !kind.empty() && std::string_view("aeiou").find(kind.front()) != std::string_view::npos;
  return std::string(vowel ? "an " : "a ") + std::string(kind) + " address";
}

AddressClass classify(const address& a) {
  if (a.is_v4()) {
    return classify_v4(a.to_v4().to_uint());
  }
  return classify_v6(a.to_v6().to_bytes());
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::string host(text.substr(0, slash));
  boost::system::error_code ec;
  const address network = boost::asio::ip::make_address(host, ec);
  if (ec) {
    return std::nullopt;
  }
  const int max_prefix = network.is_v4() ? 32 : 128;
  int prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    auto [end, parse_ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (parse_ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || prefix < 0 ||
        prefix > max_prefix) {
      return std::nullopt;
    }
  }
  return Cidr(network, prefix);
}

bool Cidr::contains(const address& a) const {
  if (network_.is_v4()) {
    std::uint32_t value = 0;
    if (a.is_v4()) {
      value = a.to_v4().to_uint();
    } else if (a.to_v6().is_v4_mapped()) {
      value = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).to_uint();
    } else {
      return false;
    }
    return in_v4(value, network_.to_v4().to_uint(), prefix_);
  }
  const address_v6 candidate =
      a.is_v4() ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, a.to_v4()) : a.to_v6();
  return prefix_matches(candidate.to_bytes(), network_.to_v6().to_bytes(), prefix_);
}

std::optional<std::string_view> AddressPolicy::refused_kind(const address& a) const {
  const AddressClass cls = classify(a);
  if (cls == AddressClass::Public || allow_private_) {
    return std::nullopt;
  }
  for (const Cidr& cidr : allowed_) {
    if (cidr.contains(a)) {
      return std::nullopt;
    }
  }
  return to_string(cls);
}

std::optional<std::string> AddressPolicy::refusal(const address& a) const {
  std::optional<std::string_view> kind = refused_kind(a);
  if (!kind) {
    return std::nullopt;
  }
  // The address itself stays out: this text reaches the client (its delivery log, an
  // input URL's 422), who must not learn what a name resolves to inside the network.
  return "it resolved to " + address_of_kind(*kind);
}

}  // namespace genq::webhook
