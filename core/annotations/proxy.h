#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "core/annotations/annotation_spec.h"

namespace ilab::annotations {

// proxy family: body size (semantics.md §12) and upstream timeouts (§5). Defaults from the ConfigMap.
struct ProxyConfig {
    std::optional<std::uint64_t> maxBodyBytes = 1024 * 1024;  // nullopt = unlimited ("0")
    std::string maxBodyText = "1m";
    int connectTimeoutMs = 5000, readTimeoutMs = 60000, sendTimeoutMs = 60000;
    int nextUpstreamTries = 3;
};

std::span<const AnnotationSpec> proxySpecs();
ProxyConfig parseProxy(const AnnotationReader& r, const std::map<std::string, std::string>& configMap);
// ConfigMap-only defaults (for locations that have no Ingress, e.g. the controller's default server).
ProxyConfig proxyDefaults(const std::map<std::string, std::string>& configMap);

}  // namespace ilab::annotations
