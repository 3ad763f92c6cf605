#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>

#include <QRegularExpression>

#include "core/annotations/annotation_spec.h"

namespace ilab::annotations {

// rewrite family (ingress-nginx annotations/rewrite; semantics.md §9.1-9.2): rewrite-target with capture groups,
// use-regex (host-wide regex mode), app-root (server-level 302 for "/"), x-forwarded-prefix (only with a rewrite).
struct RewriteConfig {
    std::optional<std::string> target;     // rewrite-target ("/$2")
    bool useRegex = false;
    std::optional<std::string> appRoot;    // relative path only
    std::optional<std::string> xForwardedPrefix;
};

std::span<const AnnotationSpec> rewriteSpecs();
RewriteConfig parseRewrite(const AnnotationReader& r);

// nginx `rewrite "(?i)<path>" <target> break;` applied to `uri` (the normalised path): $1..$9 from the path
// regex's captures; the query string is appended unless the target ends with '?'. Returns nullopt if the path
// regex does not match (no rewrite happens).
// `pathRegex` is compiled once by the caller with makeRewriteRegex().
std::optional<std::string> applyRewrite(const QRegularExpression& pathRegex, const std::string& target, const std::string& uri,
                                        const std::string& query);
std::shared_ptr<const QRegularExpression> makeRewriteRegex(const std::string& path);

}  // namespace ilab::annotations
