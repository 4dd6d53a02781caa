// Making sure a JetStream stream exists with the settings cluster mode relies on
// (private to cluster/).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "cluster/nats_handles.hpp"

namespace minitwit::cluster {

struct stream_spec {
  std::string name;
  std::string subject;  // the stream's one subject (may end in ".>")
  int replicas = 3;
  std::int64_t max_per_subject = -1;  // 1: a key-value entry per subject
};

// Creates the stream when missing; errc::conflict when it exists with other settings.
result<void> ensure_stream(jsCtx* js, const stream_spec& want);

// Whether the stream's last record is at seq or later (false when it cannot be asked):
// a reader that waited for seq in vain while this holds has lost its consumer.
bool stream_holds(jsCtx* js, const std::string& stream, std::uint64_t seq,
                  std::chrono::milliseconds timeout);

}  // namespace minitwit::cluster
