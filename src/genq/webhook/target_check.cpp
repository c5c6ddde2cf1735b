#include "genq/webhook/target_check.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <boost/url/parse.hpp>

#include <cstring>
#include <memory>

namespace genq::webhook {
namespace {

std::vector<boost::asio::ip::address> resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::vector<boost::asio::ip::address> addresses;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) {
    return addresses;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, &freeaddrinfo);
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET) {
      sockaddr_in in{};
      std::memcpy(&in, ai->ai_addr, sizeof(in));
      addresses.emplace_back(boost::asio::ip::address_v4(ntohl(in.sin_addr.s_addr)));
    } else if (ai->ai_family == AF_INET6) {
      sockaddr_in6 in6{};
      std::memcpy(&in6, ai->ai_addr, sizeof(in6));
      boost::asio::ip::address_v6::bytes_type bytes{};
      std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
      addresses.emplace_back(boost::asio::ip::address_v6(bytes, in6.sin6_scope_id));
    }
  }
  return addresses;
}

}  // namespace

std::optional<std::string> target_refusal(const std::string& url, const AddressPolicy& policy) {
  if (policy.allow_private()) {
    return std::nullopt;
  }
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    return "is not a valid URL";
  }
  std::vector<boost::asio::ip::address> addresses;
  switch (parsed->host_type()) {
    case boost::urls::host_type::ipv4:
      addresses.emplace_back(boost::asio::ip::make_address_v4(parsed->host_ipv4_address().to_bytes()));
      break;
    case boost::urls::host_type::ipv6:
      addresses.emplace_back(boost::asio::ip::make_address_v6(parsed->host_ipv6_address().to_bytes()));
      break;
    case boost::urls::host_type::name:
      addresses = resolve(parsed->host());
      break;
    default:
      return "has a host genq cannot connect to";
  }
  // The kind only: a name's resolved address inside the network is not the client's
  // to learn.
  for (const auto& address : addresses) {
    if (std::optional<std::string_view> kind = policy.refused_kind(address)) {
      return "points to " + address_of_kind(*kind);
    }
  }
  return std::nullopt;
}

}  // namespace genq::webhook
