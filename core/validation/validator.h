#pragma once

#include <cstdint>
#include <optional>

#include "core/common/diagnostic.h"
#include "core/model/workspace.h"

namespace ilab::validation {

struct ValidationOptions {
    // ingress-nginx ConfigMap `allow-snippet-annotations` (default false, as since the 2025 CVEs). Setting it
    // here also raises annotations-risk-level to Critical unless the workspace ConfigMap sets a level itself
    // (snippets are Critical-risk annotations; with the chart's default level High the webhook still refuses
    // them). A workspace ConfigMap with allow-snippet-annotations: "true" allows them as well.
    bool allowSnippetAnnotations = false;
    // Run the controller lint (references, certificates, overlaps, annotations) besides the API rules.
    bool lint = true;
    // Run the ingress-nginx validating admission webhook's checks (semantics.md §1.1; on in the Helm chart).
    bool admissionWebhook = true;
    // Ingresses without a class are checked as if ingress-nginx claims them (see AdmissionOptions).
    bool claimIngressesWithoutClass = true;
    // Kubernetes feature gate RelaxedServiceNameValidation (alpha, default off).
    bool relaxedServiceNameValidation = false;
    // Time used for certificate validity (unix seconds); unset = now.
    std::optional<std::int64_t> now;
};

// Everything wrong with a workspace: the load diagnostics (syntax, type errors, conversions), the API
// server's validation for each known kind (semantics.md §1, rule "apiserver"), the ingress-nginx admission
// webhook (rules "admission-*", each Ingress checked against the Ingresses created before it), the controller
// lint (warnings) and, once the routing engine compiles, its annotation diagnostics. Each diagnostic has its
// field path, the bad value and the source position. Pure function; safe on any thread.
Diagnostics validate(const model::Workspace& ws, const ValidationOptions& options = {});

}  // namespace ilab::validation
