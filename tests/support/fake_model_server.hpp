#pragma once
// A stand-in for a local inference server, for the worker's http backend: a
// Boost.Beast HTTP/1.1 server on 127.0.0.1 (port 0), one thread per connection.
//   POST /image        answers a PNG (the size asked for in the body's width/height)
//   POST /text         answers {"text": "…"} naming the input it got, after a short
//                      pause so progress polls are seen
//   POST /fail         answers 500 with a message
//   POST /hook         answers 200 after 300 ms (a slow webhook receiver)
//   GET  /progress/ID  answers {"progress": 50}
// Records every request body. Starts in the constructor, stops in the destructor;
// methods are thread-safe.
#include <boost/json/value.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace genq::testing {

class FakeModelServer {
 public:
  FakeModelServer();
  ~FakeModelServer();
  FakeModelServer(const FakeModelServer&) = delete;
  FakeModelServer& operator=(const FakeModelServer&) = delete;

  // "http://127.0.0.1:PORT".
  std::string base_url() const { return base_url_; }
  // JSON bodies of the POSTs so far, in arrival order.
  std::vector<boost::json::value> bodies() const;
  int progress_polls() const { return progress_polls_.load(); }

 private:
  struct State;
  void serve(int fd);

  std::shared_ptr<State> state_;
  std::string base_url_;
  std::thread acceptor_;
  std::atomic<int> progress_polls_{0};
};

}  // namespace genq::testing
