#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ilab::backends {

// How a simulated pod answers, from its Deployment's pod-template annotations (prefix ingress-lab.dev/).
// Documented keys (see core/backends/README.md):
//   ingress-lab.dev/status         fixed status for every request ("503"); default: echo with 200
//   ingress-lab.dev/body           fixed body instead of the echo JSON
//   ingress-lab.dev/content-type   Content-Type of the fixed body (default text/plain; charset=utf-8)
//   ingress-lab.dev/latency-ms     delay before every answer, ms ("250")
//   ingress-lab.dev/failure-rate   fraction of requests answered with failure-status ("0.1" or "10%")
//   ingress-lab.dev/failure-status status of those failures (default 500)
//   ingress-lab.dev/header.<Name>  extra response header on every answer
//   ingress-lab.dev/response.<id>  per-path answer, JSON: {"path": "/health", "status": 200,
//                                  "body": "..." | {...}, "contentType": "...", "latencyMs": 0, "prefix": false,
//                                  "headers": {"X-A": "b"}}; a JSON object body is sent as JSON.
struct PathResponse {
    std::string id;          // the <id> of the annotation key
    std::string path;        // matched against the request path without query
    bool prefix = false;     // "prefix": true, or a path ending in '*': path-prefix match
    int status = 200;
    std::optional<std::string> body;  // unset: the echo JSON
    std::string contentType;
    int latencyMs = -1;      // -1: the pod's latency
    std::vector<std::pair<std::string, std::string>> headers;
    bool operator==(const PathResponse&) const = default;
};

struct PodBehavior {
    std::optional<int> status;
    std::optional<std::string> body;
    std::string contentType;
    int latencyMs = 0;
    double failureRate = 0;  // 0..1
    int failureStatus = 500;
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<PathResponse> responses;  // in annotation-key order; first match wins
    bool tls = false;                     // serve HTTPS (self-signed certificate), for backend-protocol HTTPS
    bool operator==(const PodBehavior&) const = default;

    // The per-path answer for a request path (without query), or nullptr.
    const PathResponse* match(const std::string& path) const;
};

inline constexpr const char* ANNOTATION_PREFIX = "ingress-lab.dev/";

// Reads the behaviour from pod-template annotations. Bad values are skipped with a problem message
// ("ingress-lab.dev/latency-ms: invalid value \"abc\": ...") so one typo never stops a pod.
PodBehavior parsePodBehavior(const std::map<std::string, std::string>& annotations,
                             std::vector<std::string>* problems = nullptr);

}  // namespace ilab::backends
