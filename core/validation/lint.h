#pragma once

#include <cstdint>

#include "core/common/diagnostic.h"
#include "core/model/workspace.h"
#include "core/validation/admission.h"

namespace ilab::validation {

struct LintOptions {
    std::int64_t now = 0;  // unix seconds, for certificate validity
    // Whether the webhook's overlap check runs; when it does, a duplicate host+path it already refused is not
    // reported twice.
    bool admissionWebhook = true;
    AdmissionOptions admission;
};

// Warnings about what the controller will do with a workspace the API server accepts: backends whose Service
// or port is missing, Services without endpoints, TLS Secrets missing / of the wrong type / with a certificate
// that is broken, expired, for other hosts or not matching its key, TLS hosts no rule uses, and duplicate
// host+path definitions (the oldest Ingress wins). Every diagnostic is a Warning with a stable rule id.
// Pure; any thread.
void lintWorkspace(const model::Workspace& ws, const LintOptions& opts, const Diagnostics& alreadyReported, Diagnostics& out);

}  // namespace ilab::validation
