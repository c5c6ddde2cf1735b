#include "genq/runner/worker_main.hpp"

#include <signal.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>

#include "genq/runner/backends/backend.hpp"
#include "genq/runner/backends/catalog_backend.hpp"
#include "genq/runner/worker.hpp"

namespace genq::runner {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// How often the signal wait wakes to see whether the worker ended by itself.
constexpr auto kPollInterval = 200ms;

std::string default_worker_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof(host), "worker");
  }
  return std::string(host) + "-" + std::to_string(::getpid());
}

// Waits up to `timeout` for SIGINT or SIGTERM; returns the signal or 0.
int wait_for_signal(const sigset_t& signals, std::chrono::milliseconds timeout) {
  const timespec wait{static_cast<time_t>(timeout.count() / 1000),
                      static_cast<long>((timeout.count() % 1000) * 1'000'000)};
  const int signal = sigtimedwait(&signals, nullptr, &wait);
  return signal > 0 ? signal : 0;
}

std::optional<std::string> invalid_option(const WorkerOptions& options) {
  if (options.server_url.empty()) {
    return "--server is required";
  }
  if (!options.server_url.starts_with("http://") && !options.server_url.starts_with("https://")) {
    return "--server must start with http:// or https://";
  }
  if (options.token.empty()) {
    return "--token is required";
  }
  if (options.concurrency < 1) {
    return "--concurrency must be at least 1";
  }
  if (options.step_delay_ms < 0) {
    return "--step-delay-ms must not be negative";
  }
  return std::nullopt;
}

struct ChosenBackend {
  std::unique_ptr<Backend> backend;
  std::vector<std::string> models;  // what to claim; empty = all the token allows
};

// The catalog backend claims the models it can run (of those asked for); the
// synthetic one runs whatever it is given.
Result<ChosenBackend> choose_backend(const WorkerOptions& options, const catalog::Catalog& catalog) {
  const BackendOptions backend_options{options.step_delay_ms, "ffmpeg", options.synthetic_noise};
  if (options.backend != "catalog") {
    auto backend = make_backend(options.backend, backend_options);
    if (!backend) {
      return fail(backend.error());
    }
    return ChosenBackend{std::move(*backend), options.models};
  }
  std::vector<SkippedModel> skipped;
  auto backend = CatalogBackend::create(catalog, backend_options, skipped);
  for (const SkippedModel& model : skipped) {
    spdlog::warn("worker: not offering {}: {}", model.model, model.reason);
  }
  std::vector<std::string> models;
  for (const std::string& wanted : options.models) {
    const catalog::ModelSpec* spec = catalog.find_model(wanted);
    const bool runnable = spec != nullptr && std::find(backend->models().begin(), backend->models().end(),
                                                       spec->name) != backend->models().end();
    if (runnable) {
      models.push_back(spec->name);
    } else {
      spdlog::warn("worker: --models names {}, which this worker cannot run", wanted);
    }
  }
  if (options.models.empty()) {
    models = backend->models();
  }
  if (models.empty()) {
    return fail(Error::invalid("no model to offer: none of those asked for can run here"));
  }
  spdlog::info("worker: offering {} model(s): {}", models.size(), fmt::join(models, ", "));
  return ChosenBackend{std::move(backend), std::move(models)};
}

}  // namespace

int run_worker(const WorkerOptions& options, const catalog::Catalog& catalog) {
  if (auto problem = invalid_option(options)) {
    spdlog::error("worker: {}", *problem);
    return 2;
  }
  auto backend = choose_backend(options, catalog);
  if (!backend) {
    spdlog::error("worker: {}", backend.error().message);
    return 2;
  }
  WorkerConfig config;
  config.server = {options.server_url, options.token};
  config.worker_id = options.worker_id.empty() ? default_worker_id() : options.worker_id.substr(0, 128);
  config.models = std::move(backend->models);
  config.concurrency = options.concurrency;
  // The protocol accepts 0..60000 ms.
  config.wait = std::chrono::milliseconds(std::clamp(options.wait_ms, 0, 60'000));
  std::error_code ec;
  config.temp_root = std::filesystem::temp_directory_path(ec);
  if (ec) {
    config.temp_root = "/tmp";
  }

  // Signals are taken synchronously by this thread (sigtimedwait), never by a handler:
  // block them before any thread starts so every thread inherits the mask.
  sigset_t signals, old_mask;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, &old_mask);

  const auto grace = std::chrono::milliseconds(std::max(0, options.shutdown_grace_ms));
  int exit_code = 0;
  {
    Worker worker(std::move(config), std::move(backend->backend));
    worker.start();
    int signals_seen = 0;
    bool abandoned = false;
    std::optional<SteadyClock::time_point> grace_ends;
    while (!worker.finished()) {
      const int signal = wait_for_signal(signals, kPollInterval);
      if (signal != 0) {
        signals_seen++;
        if (signals_seen == 1) {
          spdlog::info("worker: {} received; no new jobs, {} running may finish within {:.0f} s (signal again "
                       "to hand them back now)",
                       strsignal(signal), worker.running_jobs(), std::chrono::duration<double>(grace).count());
          worker.stop_claiming();
          grace_ends = SteadyClock::now() + grace;
        } else if (signals_seen == 2) {
          spdlog::warn("worker: second signal; handing back {} running job(s) (again to exit at once)",
                       worker.running_jobs());
          worker.abandon_jobs();
          abandoned = true;
        } else {
          spdlog::error("worker: third signal; exiting without cleanup");
          std::_Exit(130);
        }
      }
      if (grace_ends && !abandoned && SteadyClock::now() >= *grace_ends) {
        spdlog::warn("worker: grace period over; handing back {} running job(s)", worker.running_jobs());
        worker.abandon_jobs();
        abandoned = true;
      }
    }
    worker.join();
    exit_code = worker.exit_code();
  }
  spdlog::info("worker: stopped");
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  return exit_code;
}

}  // namespace genq::runner
