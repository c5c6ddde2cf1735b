#pragma once
// One T per label value (a route, a model), found without a lock once the value has
// been seen: readers load an immutable map through an atomic pointer; a new value
// copies the map under a mutex and publishes the copy. Values are few (routes and
// catalog models), so the copies kept until destruction stay small. T is built by
// its default constructor and never moves.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace genq {

template <class T>
class LabeledSeries {
 public:
  LabeledSeries() {
    maps_.push_back(std::make_unique<const Map>());
    current_.store(maps_.back().get(), std::memory_order_release);
  }
  LabeledSeries(const LabeledSeries&) = delete;
  LabeledSeries& operator=(const LabeledSeries&) = delete;

  T& at(std::string_view value) {
    const Map* map = current_.load(std::memory_order_acquire);
    if (auto it = map->find(value); it != map->end()) return *it->second;
    std::lock_guard lock(mutex_);
    map = current_.load(std::memory_order_acquire);
    if (auto it = map->find(value); it != map->end()) return *it->second;
    items_.push_back(std::make_unique<T>());
    T& item = *items_.back();
    auto copy = std::make_unique<Map>(*map);
    copy->emplace(std::string(value), &item);
    maps_.push_back(std::move(copy));
    current_.store(maps_.back().get(), std::memory_order_release);
    return item;
  }

  // Calls f(value, const T&) for each value seen, in label order.
  template <class F>
  void for_each(F&& f) const {
    const Map* map = current_.load(std::memory_order_acquire);
    for (const auto& [value, item] : *map) f(value, *item);
  }

 private:
  using Map = std::map<std::string, T*, std::less<>>;
  std::atomic<const Map*> current_{nullptr};
  std::mutex mutex_;
  std::vector<std::unique_ptr<T>> items_;         // GUARDED_BY(mutex_)
  std::vector<std::unique_ptr<const Map>> maps_;  // GUARDED_BY(mutex_), every map published
};

}  // namespace genq
