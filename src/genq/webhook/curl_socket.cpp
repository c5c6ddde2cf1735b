#include "genq/webhook/curl_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <mutex>

namespace genq::webhook {

void ensure_curl_initialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::optional<boost::asio::ip::address> socket_address(const curl_sockaddr& sa) {
  if (sa.family == AF_INET && sa.addrlen >= sizeof(sockaddr_in)) {
    sockaddr_in in{};
    std::memcpy(&in, &sa.addr, sizeof(in));
    return boost::asio::ip::address_v4(ntohl(in.sin_addr.s_addr));
  }
  if (sa.family == AF_INET6 && sa.addrlen >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &sa.addr, sizeof(in6));
    boost::asio::ip::address_v6::bytes_type bytes{};
    std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
    return boost::asio::ip::address_v6(bytes, in6.sin6_scope_id);
  }
  return std::nullopt;
}

}  // namespace genq::webhook
