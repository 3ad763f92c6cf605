#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/annotations/annotation_spec.h"

namespace ilab::annotations {

// service-weights: an Ingress Lab extension with Traefik 1.x semantics (semantics.md §8.1), applied in both
// profiles. Value: YAML map "service: percentage" ("99%", "1.5", up to 3 decimals). The listed services must
// be backends of paths with the same host+path in this Ingress; one backend may be omitted and gets the rest.
// Real ingress-nginx ignores this annotation (lint says so).
struct ServiceWeight {
    std::string service;
    std::uint32_t milliPercent = 0;  // 99.5% -> 99500
};
struct ServiceWeightsConfig {
    std::vector<ServiceWeight> weights;  // in the order written
    std::uint32_t totalMilli = 0;        // sum of the listed weights
    bool invalid = false;                // parse error (the Ingress is disabled)
    bool isSet() const { return !weights.empty(); }
};

inline constexpr std::uint32_t SERVICE_WEIGHT_SCALE = 100'000;  // 100% in milli-percent

std::span<const AnnotationSpec> serviceWeightsSpecs();
ServiceWeightsConfig parseServiceWeights(const AnnotationReader& r);

}  // namespace ilab::annotations
