#include "genq/ws/outbound_queue.hpp"

namespace genq::ws {

FramePtr make_frame(std::string text, std::string coalesce_key) {
  std::string header = encode_frame_header(Opcode::Text, text.size());
  return std::make_shared<const Frame>(Frame{std::move(text), std::move(coalesce_key), std::move(header)});
}

FramePtr make_control_frame(Opcode opcode, std::string payload) {
  std::string header = encode_frame_header(opcode, payload.size());
  return std::make_shared<const Frame>(Frame{std::move(payload), {}, std::move(header)});
}

OutboundQueue::Push OutboundQueue::push(FramePtr frame) {
  if (!frame->coalesce_key.empty()) {
    // Newest first: the match, if any, is usually near the back.
    for (std::size_t i = entries_.size(); i > head_; --i) {
      auto& queued = entries_[i - 1];
      if (queued->coalesce_key != frame->coalesce_key) continue;
      std::size_t without = bytes_ - cost(*queued);
      if (without + cost(*frame) > max_bytes_ && size() > 1) return Push::Overflow;
      bytes_ = without + cost(*frame);
      queued = std::move(frame);  // keeps the job's place in line: its later frames stay after it
      return Push::Replaced;
    }
  }
  if (!empty() && bytes_ + cost(*frame) > max_bytes_) return Push::Overflow;
  bytes_ += cost(*frame);
  entries_.push_back(std::move(frame));
  return Push::Queued;
}

FramePtr OutboundQueue::pop() {
  if (empty()) return nullptr;
  FramePtr frame = std::move(entries_[head_]);
  ++head_;
  bytes_ -= cost(*frame);
  if (head_ == entries_.size()) {
    clear();
  } else if (head_ >= 64 && head_ * 2 >= entries_.size()) {
    entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  return frame;
}

void OutboundQueue::clear() {
  entries_.clear();
  head_ = 0;
  bytes_ = 0;
  // A burst may have grown the vector; an idle connection should not keep it.
  if (entries_.capacity() > 16) entries_.shrink_to_fit();
}

}  // namespace genq::ws
