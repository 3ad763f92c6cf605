#pragma once

#include <span>
#include <string>

#include "core/annotations/annotation_spec.h"

namespace ilab::annotations {

// backend-protocol (ingress-nginx annotations/backendprotocol; semantics.md §5): HTTP (default), HTTPS,
// AUTO_HTTP, GRPC, GRPCS, FCGI; case-insensitive; an unknown value falls back to HTTP with a warning.
std::span<const AnnotationSpec> backendProtocolSpecs();
std::string parseBackendProtocol(const AnnotationReader& r);

}  // namespace ilab::annotations
