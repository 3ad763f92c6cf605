#pragma once

#include <map>
#include <span>
#include <string>

#include "core/annotations/annotation_spec.h"

namespace ilab::annotations {

// ssl-redirect family (lua_ingress.lua redirect_to_https; semantics.md §7). Defaults come from the controller
// ConfigMap keys of the same name.
struct SslRedirectConfig {
    bool sslRedirect = true;          // redirect when the host has a certificate configured
    bool forceSslRedirect = false;    // redirect even without a certificate
    bool preserveTrailingSlash = false;
    bool usePortInRedirects = false;
};

std::span<const AnnotationSpec> sslRedirectSpecs();
SslRedirectConfig parseSslRedirect(const AnnotationReader& r, const std::map<std::string, std::string>& configMap);

}  // namespace ilab::annotations
