#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/annotations/annotation_spec.h"

namespace ilab::annotations {

// rate limiting family (ingress-nginx annotations/ratelimit; semantics.md §11). The router only attaches the
// policy; the proxy keeps the buckets (leaky bucket, nodelay) and rejects with the ConfigMap status codes.
struct RateLimitConfig {
    double rps = 0, rpm = 0;
    int connections = 0;
    int burstMultiplier = 5;
    std::vector<std::string> allowlist;
    int rejectStatus = 503;      // ConfigMap limit-req-status-code
    int connRejectStatus = 503;  // ConfigMap limit-conn-status-code
    bool isSet() const { return rps > 0 || rpm > 0 || connections > 0; }
};

std::span<const AnnotationSpec> rateLimitSpecs();
RateLimitConfig parseRateLimit(const AnnotationReader& r, const std::map<std::string, std::string>& configMap);

}  // namespace ilab::annotations
