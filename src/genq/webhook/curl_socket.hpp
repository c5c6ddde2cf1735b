#pragma once
// What both of genq's outgoing libcurl clients (webhook deliveries, URL inputs) need to
// hold each connection to the address policy: libcurl set up once, and the address a
// socket is about to connect to. Thread-safe.
#include <curl/curl.h>

#include <boost/asio/ip/address.hpp>

#include <optional>

namespace genq::webhook {

// curl_global_init, once per process.
void ensure_curl_initialized();

// The IPv4 or IPv6 address in libcurl's CURLOPT_OPENSOCKETFUNCTION argument; nullopt
// for other families (which the callers refuse).
std::optional<boost::asio::ip::address> socket_address(const curl_sockaddr& sa);

}  // namespace genq::webhook
