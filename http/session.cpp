#include "http/session.hpp"

#include <spdlog/spdlog.h>

namespace minitwit::http {

namespace {

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The session whose handler is running on this thread right now: a responder called
// from inside handle() may write directly, it is already on the connection's strand.
thread_local const session* answering_inline = nullptr;

}  // namespace

session::session(tcp::socket&& socket, handler& h, const server_limits& limits,
                 connection_registry& registry)
    : stream_(std::move(socket)), handler_(h), limits_(limits), registry_(registry) {
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) client_ = ep.address().to_string();
}

session::~session() {
  if (entry_) registry_.remove(*entry_);
}

void session::run() {
  std::weak_ptr<session> weak = weak_from_this();
  auto ex = stream_.get_executor();
  entry_ = registry_.add([weak, ex] {
    net::post(ex, [weak] {
      if (auto self = weak.lock()) self->close_if_idle();
    });
  });
  net::dispatch(ex, beast::bind_front_handler(&session::do_read, shared_from_this()));
}

void session::do_read() {
  if (registry_.stopping()) return do_close();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.header_bytes));
  parser_->body_limit(limits_.body_bytes);
  stream_.expires_after(limits_.read_timeout);
  reading_ = true;
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&session::on_read, shared_from_this()));
}

void session::on_read(beast::error_code ec, std::size_t) {
  reading_ = false;
  if (ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted ||
      ec == beast::error::timeout)
    return do_close();
  if (ec == bhttp::error::body_limit)
    return reply_and_close(
        413, "The request body is larger than " + std::to_string(limits_.body_bytes) + " bytes");
  if (ec == bhttp::error::header_limit)
    return reply_and_close(431, "The request header fields are larger than " +
                                    std::to_string(limits_.header_bytes) + " bytes");
  if (ec && is_parse_error(ec))
    return reply_and_close(400, "Malformed HTTP request: " + ec.message());
  if (ec) return do_close();
  dispatch(parser_->release());
}

void session::dispatch(bhttp::request<bhttp::string_body>&& req) {
  close_after_write_ = !req.keep_alive();
  version_ = req.version() == 10 ? 10 : 11;
  if (req.version() == 11 && req.find(bhttp::field::host) == req.end())
    return reply_and_close(400, "HTTP/1.1 requests need a Host header");
  request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.headers.reserve(8);
  for (const auto& field : req)
    r.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
  r.body = std::move(req.body());
  r.client = client_;

  // An answer given at once (most reads) is written at once. One that comes later from
  // another thread (the writer, the hashing pool) is posted back to this connection's
  // strand; the tracked executor keeps the I/O context running until it is written,
  // even during shutdown.
  auto work = net::prefer(stream_.get_executor(), net::execution::outstanding_work.tracked);
  auto self = shared_from_this();
  responder done = [self, work](response resp) {
    if (answering_inline == self.get()) return self->do_write(std::move(resp));
    net::post(work, [self, resp = std::move(resp)]() mutable { self->do_write(std::move(resp)); });
  };
  try {
    answering_inline = this;
    handler_.handle(std::move(r), std::move(done));
    answering_inline = nullptr;
  } catch (const std::exception& e) {
    answering_inline = nullptr;
    // A handler must not throw; if one does, the connection still gets an answer.
    spdlog::error("handler threw: {}", e.what());
    do_write(json_error(500, "Internal error"));
  }
}

void session::do_write(response r) {
  res_.emplace(static_cast<bhttp::status>(r.status), version_);
  auto& res = *res_;
  res.set(bhttp::field::server, "minitwit-es");
  if (!r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
  for (auto& [name, value] : r.headers) res.set(name, value);
  res.body() = std::move(r.body);
  res.keep_alive(!close_after_write_ && !registry_.stopping());
  if (r.status == 204 || r.status == 304)
    res.content_length(boost::none);
  else
    res.prepare_payload();
  stream_.expires_after(limits_.write_timeout);
  bhttp::async_write(stream_, res,
                     beast::bind_front_handler(&session::on_write, shared_from_this()));
}

void session::on_write(beast::error_code ec, std::size_t) {
  bool keep = res_ && res_->keep_alive();
  res_.reset();
  if (ec || !keep) return do_close();
  do_read();
}

void session::reply_and_close(unsigned status, std::string_view message) {
  close_after_write_ = true;
  do_write(json_error(status, message));
}

void session::do_close() {
  // A lingering close: stop sending, then read and discard what the client still
  // sends (briefly), so that closing with unread input does not reset the connection
  // and destroy an answer like 413 before the client has read it.
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return stream_.close();
  stream_.expires_after(std::chrono::seconds(2));
  drain();
}

void session::drain() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(std::size_t{16} * 1024),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > (1u << 20)) return self->stream_.close();
                            self->drain();
                          });
}

void session::close_if_idle() {
  // Only a connection waiting for (the rest of) a request is idle; one whose request
  // is being handled closes after its answer is written.
  if (reading_) stream_.cancel();
}

}  // namespace minitwit::http
