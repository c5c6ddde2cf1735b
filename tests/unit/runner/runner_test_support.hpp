#pragma once
// Helpers shared by the runner's unit tests: a ProgressSink that records what a
// backend reports, a job in its own temporary directory, and independent readers of
// the produced files (libpng and libturbojpeg directly, not the code under test).
#include <png.h>
#include <turbojpeg.h>

#include <boost/json.hpp>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "genq/runner/backends/backend.hpp"
#include "support/temp_dir.hpp"

namespace genq::runner::testing {

class RecordingSink final : public ProgressSink {
 public:
  struct Report {
    double percent;
    std::string preview_jpeg;
  };
  void report(double percent, std::string preview_jpeg) override {
    std::lock_guard lock(mutex_);
    reports_.push_back({percent, std::move(preview_jpeg)});
  }
  std::vector<Report> reports() const {
    std::lock_guard lock(mutex_);
    return reports_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Report> reports_;
};

// A job of `task` with `params` (a JSON object text), working in its own directory.
struct TestJob {
  genq::testing::TempDir dir{"genq-runner-test"};
  JobSpec spec;

  TestJob(const std::string& task, catalog::OutputKind output, const std::string& params_json) {
    spec.job_id = "00000000-0000-4000-8000-000000000000";
    spec.task = task;
    spec.model = "Synthetic";
    spec.output = output;
    spec.params = boost::json::parse(params_json).as_object();
    spec.work_dir = dir.path();
  }
};

struct PngInfo {
  bool ok = false;
  int width = 0;
  int height = 0;
  int channels = 0;
};

inline PngInfo read_png_info(const std::filesystem::path& file) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, file.c_str()) == 0) {
    return {};
  }
  PngInfo info{true, static_cast<int>(image.width), static_cast<int>(image.height),
               static_cast<int>(PNG_IMAGE_PIXEL_CHANNELS(image.format))};
  png_image_free(&image);
  return info;
}

struct JpegInfo {
  bool ok = false;
  int width = 0;
  int height = 0;
};

inline JpegInfo read_jpeg_info(const std::string& bytes) {
  tjhandle tj = tjInitDecompress();
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  const bool ok = tjDecompressHeader3(tj, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                                      &width, &height, &subsampling, &colorspace) == 0;
  tjDestroy(tj);
  return {ok, width, height};
}

}  // namespace genq::runner::testing
