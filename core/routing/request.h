#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ilab::routing {

// What the router sees of a request: the same for the CLI's `route`, the conformance runner and the proxy
// (which fills it from llhttp once the headers are complete). Header names keep their case; lookups are
// case-insensitive.
struct RequestView {
    std::string method = "GET";
    std::string scheme = "http";  // "http" | "https"
    std::string host;             // Host header as sent (may carry :port, upper case, trailing dot); "" = none
    std::string target = "/";     // request-target: path plus ?query, as sent
    std::vector<std::pair<std::string, std::string>> headers;
    std::string clientIp = "127.0.0.1";
    std::optional<std::string> sni;        // TLS server name, https only
    std::optional<std::uint64_t> contentLength;
    bool chunked = false;
    int listenPort = 80;                   // the port the client connected to (80/443 semantics for redirects)
    // X-Request-ID the proxy already chose for this request (its access log uses it too); "" = the router takes
    // the client's X-Request-ID or derives one from the random input.
    std::string requestId;
    // The Host header as sent ($http_host) when the request line is in absolute form and so `host` came from it;
    // "" = the same as `host`. nginx selects the server by the request-line host, but ingress-nginx sends
    // $best_http_host = $http_host upstream (Host, X-Forwarded-Host).
    std::string hostHeader;

    std::optional<std::string> header(std::string_view name) const;  // first value, case-insensitive
    std::optional<std::string> cookie(std::string_view name) const;  // from Cookie headers
};

}  // namespace ilab::routing
