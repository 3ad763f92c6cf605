#pragma once

#include "core/common/diagnostic.h"
#include "core/model/resource.h"

namespace ilab::validation {

struct ApiValidationOptions {
    // Kubernetes feature gate RelaxedServiceNameValidation (alpha in 1.34, off by default): backend Service
    // names are checked as DNS-1123 labels instead of DNS-1035 labels.
    bool relaxedServiceNameValidation = false;
};

// What the Kubernetes API server checks when the resource is created (semantics.md §1): metadata for every
// known kind, plus the kind's own rules (Ingress, IngressClass, Service, Endpoints, Deployment, Secret,
// ConfigMap). Wording, error types and field paths are the API server's (K8SVAL validation.go, core and
// apps validation). Diagnostics have rule "apiserver" and Severity::Error. Pure; any thread.
void validateApiObject(const model::Resource& resource, const ApiValidationOptions& options, Diagnostics& out);

}  // namespace ilab::validation
