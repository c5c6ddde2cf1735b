#include "genq/http/access_log.hpp"

#include <spdlog/spdlog.h>

namespace genq::http {

void log_access(const Request& request, unsigned status, std::chrono::microseconds latency) {
  spdlog::info("{} {} {} {:.1f} ms from {}", std::string_view(boost::beast::http::to_string(request.method)),
               request.path, status, static_cast<double>(latency.count()) / 1000.0, request.remote_address);
}

}  // namespace genq::http
