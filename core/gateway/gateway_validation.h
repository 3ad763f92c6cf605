#pragma once

#include "core/common/diagnostic.h"
#include "core/model/workspace.h"

namespace ilab::gateway {

// The CRD schema (OpenAPI) and CEL rules the API server enforces on Gateway API v1 objects (GW apis/v1 kubebuilder
// markers; ../shared/gateway.md §1-§4): every problem with its field path, bad value and source position, rule
// "apiserver-gateway". Also the type errors of read(). Pure function.
Diagnostics validate(const model::Workspace& ws);

}  // namespace ilab::gateway
