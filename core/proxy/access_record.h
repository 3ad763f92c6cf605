#pragma once

#include <cstdint>
#include <string>

// A plain value type of its own (not in proxy_server.h) so that the access log, metrics, the GUI and tests can
// use it without depending on the data plane.
namespace ilab::proxy {

// One finished request, as the access log and metrics see it (ingress-nginx "upstreaminfo" fields).
struct AccessRecord {
    std::int64_t timeMs = 0;           // wall clock, ms since epoch, when the request finished
    std::string clientIp;
    std::string method;
    std::string target;                // as requested (path?query)
    std::string host;
    std::string protocol = "HTTP/1.1";
    std::string scheme;                // http | https
    int status = 0;
    std::uint64_t bytesSent = 0;       // body bytes to the client
    std::uint64_t requestLength = 0;   // bytes of the request (headers + body)
    double requestTimeSec = 0;         // whole request
    std::string userAgent, referer;
    std::string ingress;               // "ns/name" or ""
    std::string upstreamName;          // ns-service-port or "" (e.g. upstream-default-backend)
    std::string upstreamAddr;          // "127.0.0.1:34567" or "-"
    std::string podName;               // the simulated pod that answered, if known
    int upstreamStatus = 0;            // 0 = no upstream
    double upstreamResponseTimeSec = 0;
    std::string canary;                // "", "main", "canary"
    std::string requestId;             // X-Request-ID (32 hex chars)
    // The controller answered an error itself (no backend's answer): a stable code ("service-not-found",
    // "no-endpoints", "upstream-timeout", "upstream-refused", "rate-limited", ...) and the detail; "" otherwise.
    std::string errorReason;
    std::string errorDetail;
};

// What became of one RequestMirror copy (Gateway API): the copy's answer itself is read and discarded, only
// this is reported (metrics: ilab_mirror_requests_total; a failure also gives one MirrorFailed event).
struct MirrorRecord {
    enum class Result {
        Answered,    // the mirror backend answered (any status): it received the copy
        Failed,      // refused, reset, timed out, read too slowly, or the client's request ended early
        NotSampled,  // percent / fraction said no copy for this request
    };
    Result result = Result::Answered;
    std::string ingress;       // "ns/name" of the HTTPRoute
    std::string upstreamName;  // the mirror backend, ns-service-port
    std::string endpoint;      // "127.0.0.1:34567", "" when none was contacted
    int status = 0;            // the mirror backend's status (Answered)
    std::string detail;        // why it failed
};

inline const char* toString(MirrorRecord::Result r) {
    switch (r) {
    case MirrorRecord::Result::Answered: return "answered";
    case MirrorRecord::Result::Failed: return "failed";
    case MirrorRecord::Result::NotSampled: return "not-sampled";
    }
    return "failed";
}

}  // namespace ilab::proxy
