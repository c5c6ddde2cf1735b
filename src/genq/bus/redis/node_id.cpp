#include "genq/bus/redis/node_id.hpp"

#include <random>

namespace genq::bus {

std::string random_node_id() {
  std::random_device random;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (char& c : id) c = kHex[random() % 16];
  return id;
}

}  // namespace genq::bus
