#pragma once

#include <optional>
#include <span>
#include <string>

#include "core/annotations/annotation_spec.h"

namespace ilab::annotations {

// redirect family (ingress-nginx annotations/redirect; semantics.md §9.3-9.4): permanent/temporal redirect with
// their codes (temporal wins), from-to-www-redirect, relative-redirects.
struct RedirectConfig {
    std::optional<std::string> url;  // the effective redirect target (temporal wins over permanent)
    int code = 0;                    // 301 / 302 or the configured code
    bool fromToWww = false;
    bool relative = false;           // relative-redirects: keep a relative Location as written
};

std::span<const AnnotationSpec> redirectSpecs();
RedirectConfig parseRedirect(const AnnotationReader& r);

}  // namespace ilab::annotations
