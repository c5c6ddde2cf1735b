#pragma once
// Membership in the catalog's short lists of names (a model's tasks, a task's file
// fields, the keys an object has read): a linear search, as the lists hold a handful.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace genq::catalog {

inline bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace genq::catalog
