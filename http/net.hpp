// Namespace aliases for Asio and Beast; include only where networking happens.
// Both are compiled once, in http/asio_impl.cpp (separate compilation).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace minitwit::http {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
}  // namespace minitwit::http
