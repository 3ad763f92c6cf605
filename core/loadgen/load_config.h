#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

// What a load run sends: a weighted mix of request templates, how many, how fast, and how to connect.
// A plain value struct (style.md A.4), filled by the CLI or the GUI and handed to LoadGenerator by value.
namespace ilab::loadgen {

// One kind of request in the mix. `share` is a relative weight: two targets with 9 and 1 get 90 % and 10 %.
// Targets are interleaved by smooth weighted round-robin, so the shares are exact, not random.
struct RequestTarget {
    std::string url;                                        // http:// or https://
    std::string method;                                     // empty: GET, or POST when `body` is set (like curl)
    std::vector<std::string> headers;                       // "Name: value"
    std::vector<std::pair<std::string, std::string>> cookies;  // sent as one "Cookie: a=b; c=d" header
    std::string body;
    bool hasBody = false;                                   // distinguishes an empty body from none
    double share = 1;
    std::string label;                                      // for summaries; empty: the URL
};

enum class TlsVerify {
    Verify,    // system CA store (or caFile when set)
    Insecure,  // -k: no peer or host name check
};

struct LoadConfig {
    std::vector<RequestTarget> targets;
    uint64_t requests = 0;                    // total to send; 0: unlimited (then `duration` must be set)
    std::chrono::milliseconds duration{0};    // stop starting new requests after this; 0: no limit
    int concurrency = 1;                      // requests in flight at most (closed model: exactly this many)
    double rate = 0;                          // open model: arrivals per second (constant spacing); 0: closed model
    // Worker threads, each with its own curl multi handle and an equal share of concurrency, requests and rate
    // (capped at concurrency). One is enough up to a few ten thousand req/s; libcurl's per-request cost
    // (~20 µs here) makes more useful where cores are free. With several, mix shares are exact per thread.
    int threads = 1;
    std::vector<std::string> resolve;         // CURLOPT_RESOLVE entries "HOST:PORT:ADDR"
    // CURLOPT_CONNECT_TO entries "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT": the URL keeps its host (Host header,
    // SNI, certificate name), the TCP connection goes elsewhere (a cluster's ingress controller, cluster.md §3.3).
    std::vector<std::string> connectTo;
    TlsVerify tlsVerify = TlsVerify::Verify;
    std::string caFile;                       // CA bundle for Verify; empty: system store
    bool keepAlive = true;                    // false: a fresh connection per request (CURLOPT_FORBID_REUSE)
    std::chrono::milliseconds timeout{10000};         // whole request
    std::chrono::milliseconds connectTimeout{5000};   // TCP + TLS set-up
    // Per-request records kept for CSV export and drill-down (about 80 bytes each). Aggregates (counts,
    // histogram, time series) are always complete; only the per-request list stops growing at this limit.
    size_t recordLimit = 1'000'000;
    // Response bytes kept per request to identify the backend and group bodies (`uniq -c`); the rest is counted.
    size_t bodyCaptureBytes = 8192;
    std::chrono::milliseconds progressInterval{100};  // how often the worker publishes a progress snapshot
};

}  // namespace ilab::loadgen
