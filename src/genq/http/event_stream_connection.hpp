#pragma once
// The EventStream over a connection (TCP or TLS) whose answer header is already written
// (http_session.cpp hands it over). Internal to http/.
#include <memory>

#include "genq/http/event_stream.hpp"
#include "genq/http/transport.hpp"

namespace genq::http {

// Takes the connection and its place under the connection caps (`slot`, held while
// it is open), and starts watching for the client's end and for idle time.
std::shared_ptr<EventStream> adopt_event_stream(Transport&& stream, std::shared_ptr<void> slot);

}  // namespace genq::http
