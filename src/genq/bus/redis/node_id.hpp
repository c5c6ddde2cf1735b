#pragma once
// The name a node goes by on the bus when none is configured: the event bus and the
// node link each tell their own messages apart by it.
#include <string>

namespace genq::bus {

// 16 random hex digits.
std::string random_node_id();

}  // namespace genq::bus
