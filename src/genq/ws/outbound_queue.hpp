#pragma once
// A connection's outbound frames, oldest first, bounded in bytes (STYLE habit 6).
// A broadcast serialises its frame once; every queue it reaches holds the same
// shared_ptr. Frames with a coalesce key (one job's progress on one channel) replace
// a queued frame with the same key, so a connection that is behind gets the latest
// progress rather than all of it; frames without one (status changes, the final
// done/error, protocol replies) are never replaced or dropped: past the cap the
// queue refuses and the session closes the connection with a reconnect code.
// Not thread-safe: the owning session guards it.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "genq/ws/websocket_frame.hpp"

namespace genq::ws {

struct Frame {
  std::string text;          // one complete Pusher message, or a control frame's payload
  std::string coalesce_key;  // empty: never coalesced
  // The WebSocket frame header, encoded once with the frame: server frames are
  // unmasked, so every connection sends the same header and text. At most 10 bytes,
  // which std::string keeps inline.
  std::string header;
};
using FramePtr = std::shared_ptr<const Frame>;

// A text frame carrying one Pusher message.
FramePtr make_frame(std::string text, std::string coalesce_key = {});
// A WebSocket control frame (ping, pong, close); never coalesced.
FramePtr make_control_frame(Opcode opcode, std::string payload);

class OutboundQueue {
 public:
  // Bookkeeping a queued entry costs beyond its text (the text is counted in full for
  // every queue even though it is shared: the cap bounds what one slow reader pins).
  static constexpr std::size_t kEntryOverhead = 64;

  explicit OutboundQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  enum class Push { Queued, Replaced, Overflow };
  // Overflow leaves the queue unchanged. An empty queue takes any one frame, so a
  // frame larger than the cap still goes out to a reader that keeps up.
  Push push(FramePtr frame);
  // The oldest frame, removed; null when empty.
  FramePtr pop();

  bool empty() const { return head_ == entries_.size(); }
  std::size_t size() const { return entries_.size() - head_; }
  std::size_t bytes() const { return bytes_; }
  void clear();

 private:
  static std::size_t cost(const Frame& frame) { return frame.text.size() + kEntryOverhead; }

  // entries_[head_..] are queued; the prefix is popped and compacted away lazily, so
  // pop is O(1) and an idle connection's queue owns no memory.
  std::vector<FramePtr> entries_;
  std::size_t head_ = 0;
  std::size_t bytes_ = 0;
  std::size_t max_bytes_;
};

}  // namespace genq::ws
