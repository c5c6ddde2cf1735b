#pragma once
// Job change notifications inside one server and, with the redis/ implementation,
// across servers. Subscribers: long-poll claim wake-ups, WebSocket channels, webhooks.
#include <functional>
#include <memory>
#include <vector>

#include "genq/core/job.hpp"

namespace genq {

struct JobEvent {
  // The job as it is after the change. Borrowed for the length of the publish call
  // (handlers run inside it): publishing a transition copies no job.
  const Job& job;
};

// Thread-safe. Handlers run on the publishing thread: keep them short and never block.
class EventBus {
 public:
  using Handler = std::function<void(const JobEvent&)>;
  virtual ~EventBus() = default;
  virtual void publish(const JobEvent& event) = 0;
  // Handlers are registered during start-up, before the first publish.
  virtual void subscribe(Handler handler) = 0;
};

class InProcessEventBus final : public EventBus {
 public:
  void publish(const JobEvent& event) override {
    for (const auto& handler : handlers_) handler(event);
  }
  void subscribe(Handler handler) override { handlers_.push_back(std::move(handler)); }

 private:
  std::vector<Handler> handlers_;  // written only before publishing starts
};

}  // namespace genq
