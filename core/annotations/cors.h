#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <QRegularExpression>

#include "core/annotations/annotation_spec.h"

namespace ilab::annotations {

// CORS family (ingress-nginx annotations/cors, nginx.tmpl CORS block; semantics.md §10).
struct CorsConfig {
    bool enabled = false;
    bool anyOrigin = true;                      // "*": unset, empty, "*" in the list, or an invalid list
    std::vector<std::string> origins;           // valid entries as written
    std::shared_ptr<const QRegularExpression> originRegex;  // one alternation of all valid entries (null: none valid)
    std::string allowMethods = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
    std::string allowHeaders =
        "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization";
    std::string exposeHeaders;                  // "" = header omitted
    bool allowCredentials = true;
    std::string maxAge = "1728000";
};

std::span<const AnnotationSpec> corsSpecs();
CorsConfig parseCors(const AnnotationReader& r);

// The Access-Control-Allow-Origin value for `origin` (nullopt = not allowed: no CORS headers at all).
std::optional<std::string> corsAllowOrigin(const CorsConfig& c, const std::optional<std::string>& origin);
// Headers added to an allowed response (ACAO first).
std::vector<std::pair<std::string, std::string>> corsHeaders(const CorsConfig& c, const std::string& allowOrigin);

}  // namespace ilab::annotations
