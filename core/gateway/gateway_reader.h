#pragma once

#include "core/common/diagnostic.h"
#include "core/gateway/gateway_types.h"
#include "core/model/workspace.h"

namespace ilab::gateway {

// True for a kind this folder reads (GatewayClass, Gateway, HTTPRoute, ReferenceGrant) in group
// gateway.networking.k8s.io (v1, or v1beta1 for ReferenceGrant/older manifests).
bool isGatewayResource(const model::Resource& r);

// The typed Gateway API objects of a workspace, in creation order, read from each resource's YAML node (the node
// stays the source of truth). A field of the wrong YAML type is skipped with a TypeInvalid diagnostic carrying its
// field path and position (appended to `diags` when given). Never throws.
GatewayObjects read(const model::Workspace& ws, Diagnostics* diags = nullptr);

}  // namespace ilab::gateway
