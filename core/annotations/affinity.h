#pragma once

#include <optional>
#include <span>
#include <string>

#include "core/annotations/annotation_spec.h"

namespace ilab::annotations {

// Session affinity (ingress-nginx annotations/sessionaffinity, lua balancer/sticky.lua; semantics.md §14).
struct AffinityConfig {
    bool enabled = false;  // affinity: cookie
    std::string cookieName = "INGRESSCOOKIE";
    std::optional<std::string> path, expires, maxAge, domain, sameSite;
    bool secure = false;
    bool conditionalSameSiteNone = false;  // session-cookie-conditional-samesite-none
    std::string mode = "balanced";
    std::string canaryBehavior = "sticky";
};

std::span<const AnnotationSpec> affinitySpecs();
AffinityConfig parseAffinity(const AnnotationReader& r);

}  // namespace ilab::annotations
