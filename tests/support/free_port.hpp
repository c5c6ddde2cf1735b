#pragma once
// Asks the kernel for a free TCP port on 127.0.0.1. Prefer letting the program under
// test bind port 0 itself and report its port: a port picked here can be taken by
// someone else before it is used.
#include <cstdint>

namespace genq::testing {

// Binds 127.0.0.1:0, reads the port the kernel chose, closes the socket.
std::uint16_t free_port();

}  // namespace genq::testing
