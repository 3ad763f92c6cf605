#pragma once

#include "core/common/diagnostic.h"
#include "core/model/workspace.h"

namespace ilab::validation {

struct ValidationOptions {
    // ingress-nginx ConfigMap `allow-snippet-annotations` (default false, as since the 2025 CVEs).
    bool allowSnippetAnnotations = false;
    // Run the controller lint (references, certificates, overlaps, annotations) besides the API rules.
    bool lint = true;
};

// Everything wrong with a workspace: the load diagnostics (syntax, type errors, conversions), the API
// server's validation for each known kind (semantics.md §1) and the controller lint. Each diagnostic
// has its field path, the bad value and the source position. Pure function; safe on any thread.
Diagnostics validate(const model::Workspace& ws, const ValidationOptions& options = {});

}  // namespace ilab::validation
