// The two streams of cluster mode: created when missing, refused when present with
// other settings (another deployment's stream, or one changed by hand).
#include "cluster/streams.hpp"

#include <cstring>

namespace minitwit::cluster {

namespace {

constexpr std::int64_t duplicate_window_ns = 120LL * 1000 * 1000 * 1000;

// The settings this project depends on, as a list of differences from what is there.
std::string differences(const jsStreamConfig& have, const stream_spec& want) {
  std::string out;
  auto add = [&](const std::string& d) { out += (out.empty() ? "" : "; ") + d; };
  if (have.SubjectsLen != 1 || std::strcmp(have.Subjects[0], want.subject.c_str()) != 0)
    add("subjects must be exactly [" + want.subject + "]");
  if (have.Storage != js_FileStorage) add("storage must be file");
  if (have.Replicas != want.replicas)
    add("replicas are " + std::to_string(have.Replicas) + ", not " + std::to_string(want.replicas));
  if (have.Retention != js_LimitsPolicy) add("retention must be limits");
  if (have.MaxAge != 0 || have.MaxMsgs != -1 || have.MaxBytes != -1)
    add("messages must be kept forever (no max age, count or size)");
  if (have.MaxMsgsPerSubject != want.max_per_subject)
    add("max messages per subject must be " + std::to_string(want.max_per_subject));
  if (want.max_per_subject == -1 && have.Duplicates <= 0) add("a duplicate window is needed");
  return out;
}

}  // namespace

result<void> ensure_stream(jsCtx* js, const stream_spec& want) {
  jsStreamInfo* raw = nullptr;
  jsErrCode jerr{};
  natsStatus s = js_GetStreamInfo(&raw, js, want.name.c_str(), nullptr, &jerr);
  nats_ptr<jsStreamInfo> info(raw);
  if (s == NATS_OK) {
    auto diff = differences(*info->Config, want);
    if (!diff.empty())
      return make_error(errc::conflict, "the NATS stream '" + want.name +
                                            "' exists with other settings: " + diff +
                                            " (use another --nats-stream, or fix the stream)");
    return {};
  }
  if (s != NATS_NOT_FOUND && jerr != JSStreamNotFoundErr)
    return make_error(nats_error("cannot look up the NATS stream '" + want.name + "'", s, jerr));

  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  const char* subjects[] = {want.subject.c_str()};
  cfg.Name = want.name.c_str();
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Retention = js_LimitsPolicy;
  cfg.Replicas = want.replicas;
  cfg.MaxMsgsPerSubject = want.max_per_subject;
  cfg.Duplicates = duplicate_window_ns;
  cfg.Discard = js_DiscardOld;
  raw = nullptr;
  s = js_AddStream(&raw, js, &cfg, nullptr, &jerr);
  info.reset(raw);
  if (s == NATS_OK) return {};
  // Another node created it meanwhile: check it like any existing stream.
  if (jerr == JSStreamNameExistErr) return ensure_stream(js, want);
  return make_error(nats_error("cannot create the NATS stream '" + want.name + "' with " +
                                   std::to_string(want.replicas) + " replicas",
                               s, jerr));
}

bool stream_holds(jsCtx* js, const std::string& stream, std::uint64_t seq,
                  std::chrono::milliseconds timeout) {
  jsOptions jo = wait_options(timeout);
  jsStreamInfo* raw = nullptr;
  jsErrCode jerr{};
  natsStatus s = js_GetStreamInfo(&raw, js, stream.c_str(), &jo, &jerr);
  nats_ptr<jsStreamInfo> info(raw);
  return s == NATS_OK && info->State.LastSeq >= seq;
}

}  // namespace minitwit::cluster
