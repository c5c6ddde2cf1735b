// Submit -> claim latency with a waiting worker: a worker thread long-polls the
// claim endpoint; the main thread submits one job at a time and measures how long
// until the worker's claim answers with it. Prints p50/p90/p99 in microseconds.
//   claim_latency BASE_URL API_KEY WORKER_TOKEN [ROUNDS]
#include <curl/curl.h>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string post(CURL* curl, const std::string& url, const std::string& bearer, const std::string& body) {
  std::string out;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Authorization: Bearer " + bearer).c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_perform(curl);
  curl_slist_free_all(headers);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s BASE_URL API_KEY WORKER_TOKEN [ROUNDS]\n", argv[0]);
    return 2;
  }
  std::string base = argv[1], key = argv[2], token = argv[3];
  int rounds = argc > 4 ? std::atoi(argv[4]) : 200;
  curl_global_init(CURL_GLOBAL_DEFAULT);

  std::mutex mutex;
  std::condition_variable cv;
  std::vector<Clock::time_point> claimed_at;
  std::atomic<bool> stop{false};

  std::thread worker([&] {
    CURL* curl = curl_easy_init();
    while (!stop) {
      std::string reply = post(curl, base + "/api/v1/worker/claim", token,
                               R"({"worker_id":"bench","max_jobs":1,"wait_ms":5000})");
      auto now = Clock::now();
      boost::system::error_code ec;
      auto doc = boost::json::parse(reply, ec);
      if (ec || !doc.is_object() || !doc.as_object().contains("jobs")) continue;
      for (const auto& job : doc.at("jobs").as_array()) {
        std::string id(job.at("job_id").as_string()), lease(job.at("lease_id").as_string());
        {
          std::lock_guard lock(mutex);
          claimed_at.push_back(now);
        }
        cv.notify_all();
        post(curl, base + "/api/v1/worker/jobs/" + id + "/complete", token,
             R"({"lease_id":")" + lease + R"(","result":"x"})");
      }
    }
    curl_easy_cleanup(curl);
  });

  CURL* curl = curl_easy_init();
  std::vector<double> latencies;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the first long-poll arrive
  for (int i = 0; i < rounds; ++i) {
    auto start = Clock::now();
    post(curl, base + "/api/v1/client/txt2embedding", key, R"({"model":"Bge_M3_FP16","input":"hello"})");
    std::unique_lock lock(mutex);
    if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return claimed_at.size() == static_cast<size_t>(i + 1); })) {
      std::fprintf(stderr, "round %d: no claim within 10 s\n", i);
      stop = true;
      worker.detach();
      return 1;
    }
    latencies.push_back(std::chrono::duration<double, std::micro>(claimed_at.back() - start).count());
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the worker re-polls
  }
  stop = true;
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) { return latencies[static_cast<size_t>(p * (latencies.size() - 1))]; };
  std::printf("RESULT rounds=%d p50_us=%.0f p90_us=%.0f p99_us=%.0f\n", rounds, pct(0.5), pct(0.9), pct(0.99));
  worker.join();
  curl_easy_cleanup(curl);
  return 0;
}
