#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/annotations/annotation_spec.h"

namespace ilab::annotations {

// Upstream selection and naming: upstream-vhost (Host sent upstream), upstream-hash-by, default-backend
// (fallback Service when the rule's Service has no endpoints), server-alias (extra server names).
struct UpstreamConfig {
    std::optional<std::string> vhost;
    std::optional<std::string> hashBy;
    std::optional<std::string> defaultBackend;  // Service name in the Ingress's namespace (first port)
    std::vector<std::string> serverAliases;
};

std::span<const AnnotationSpec> upstreamSpecs();
UpstreamConfig parseUpstream(const AnnotationReader& r);

}  // namespace ilab::annotations
