#include "core/annotations/backend_protocol.h"

#include <algorithm>
#include <cctype>

namespace ilab::annotations {

namespace {
constexpr AnnotationSpec SPECS[] = {
    {"backend-protocol", ValueType::Enum, "HTTP", "HTTP|HTTPS|AUTO_HTTP|GRPC|GRPCS|FCGI", "Protocol used to talk to the backend", "backend-protocol"},
};
}  // namespace

std::span<const AnnotationSpec> backendProtocolSpecs() { return SPECS; }

std::string parseBackendProtocol(const AnnotationReader& r) {
    auto v = r.string("backend-protocol");
    if (!v) return "HTTP";
    std::string up = *v;
    std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    for (const char* ok : {"HTTP", "HTTPS", "AUTO_HTTP", "GRPC", "GRPCS", "FCGI"})
        if (up == ok) return up;
    r.warn("backend-protocol", "must be one of HTTP, HTTPS, AUTO_HTTP, GRPC, GRPCS, FCGI; HTTP applies", DiagCode::NotSupported);
    return "HTTP";
}

}  // namespace ilab::annotations
