#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <QRegularExpression>

#include "core/annotations/annotation_spec.h"

namespace ilab::annotations {

// canary family (ingress-nginx annotations/canary/main.go; semantics.md §8): a canary Ingress's Service becomes
// the alternative backend of the main location's upstream, chosen per request by header, cookie, then weight.
struct CanaryConfig {
    bool enabled = false;               // canary: "true"
    std::optional<std::string> byHeader, byHeaderValue, byHeaderPattern, byCookie;
    std::int64_t weight = 0;            // canary-weight (default 0)
    std::int64_t weightTotal = 100;     // canary-weight-total as written (default 100)
    std::shared_ptr<const QRegularExpression> headerPattern;  // compiled byHeaderPattern (may be invalid)
    bool misconfigured = false;         // canary-* without canary "true": the Ingress is disabled

    // Effective total: canary-weight-total if > 100, else 100 (a lower total is ignored, balancer.lua).
    std::int64_t effectiveTotal() const { return weightTotal > 100 ? weightTotal : 100; }
};

std::span<const AnnotationSpec> canarySpecs();
CanaryConfig parseCanary(const AnnotationReader& r);

// One per-request canary decision (balancer.lua route_to_alternative_balancer).
struct CanaryChoice {
    bool useCanary = false;
    std::string reason;  // for the trace
};
// headerValue/cookieValue: the request's value of canary-by-header / canary-by-cookie (nullopt = absent).
CanaryChoice decideCanary(const CanaryConfig& c, const std::optional<std::string>& headerValue,
                          const std::optional<std::string>& cookieValue, std::uint64_t randomValue);

}  // namespace ilab::annotations
