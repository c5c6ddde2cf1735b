#pragma once
// The wire format of one job change on the Redis channel: a small JSON object
//   {"o":"<origin node>","i":"<job id>","c":"<client id>","m":"<model>",
//    "s":"<status>","p":<progress, absent when none>,"v":<version>,"q":<submit sequence>}
// and nothing else: no previews, parameters or results (a node that needs them reads
// the job from the store). Documented in docs/scale-out.md.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "genq/bus/event_bus.hpp"

namespace genq::bus {

// A decoded message; owns its strings, lends them to a JobSummary.
struct ChangeMessage {
  std::string origin, id, client_id, model;
  JobStatus status = JobStatus::Pending;
  std::optional<double> progress;
  std::int64_t version = 0;
  std::int64_t seq = 0;  // absent (0) from older nodes

  JobSummary summary() const { return JobSummary{id, client_id, model, status, progress, version, true, seq}; }
};

std::string encode_change(const Job& job, std::string_view origin);
// nullopt when the text is not a change message (another program on the channel).
std::optional<ChangeMessage> decode_change(std::string_view text);

}  // namespace genq::bus
