#include "core/annotations/upstream.h"

#include <algorithm>
#include <cctype>

namespace ilab::annotations {

namespace {
constexpr AnnotationSpec SPECS[] = {
    {"upstream-vhost", ValueType::String, "", "", "Host header sent to the backend instead of the client's", "upstream"},
    {"upstream-hash-by", ValueType::String, "", "", "Consistent hashing key (nginx variables, e.g. $request_uri)", "upstream"},
    {"default-backend", ValueType::String, "", "", "Service (same namespace) that answers when the rule's Service has no endpoints", "upstream"},
    {"server-alias", ValueType::StringList, "", "", "Extra host names for this Ingress's server (ignored for names that are hosts)", "upstream"},
};
}  // namespace

std::span<const AnnotationSpec> upstreamSpecs() { return SPECS; }

UpstreamConfig parseUpstream(const AnnotationReader& r) {
    UpstreamConfig c;
    if (auto v = r.string("upstream-vhost"); v && !v->empty()) c.vhost = *v;
    if (auto v = r.string("upstream-hash-by"); v && !v->empty()) c.hashBy = *v;
    if (auto v = r.string("default-backend"); v && !v->empty()) c.defaultBackend = *v;
    if (auto v = r.string("server-alias")) {
        for (auto a : splitList(*v)) {
            std::transform(a.begin(), a.end(), a.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
            c.serverAliases.push_back(a);
        }
    }
    return c;
}

}  // namespace ilab::annotations
