#pragma once
// Every HTTP request's id (X-Request-Id): the client's own when it sent a usable one
// (a proxy's, a tracing system's), so its logs and genq's join on it; else one genq
// makes. Returned on the answer and printed on the request's log lines.
#include <string>
#include <string_view>

namespace genq::http {

// `offered` when it is 1 to 128 characters of letters, digits and `-_.:/+=`: nothing
// that could break a log line or a header. Otherwise a fresh id: a random 8-hex
// prefix for this process, then a counter, so ids from several nodes never collide
// and making one costs an increment.
std::string request_id_for(std::string_view offered);

}  // namespace genq::http
