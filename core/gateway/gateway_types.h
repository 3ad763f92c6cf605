#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/model/object_meta.h"

namespace ilab::gateway {

// Typed view of the Gateway API v1 objects (gateway.networking.k8s.io/v1) of a workspace: GatewayClass, Gateway,
// HTTPRoute, ReferenceGrant. The YAML node of each model::Resource stays the source of truth (a lossless round
// trip, like every other kind); read() derives these structs from it. Field names follow the Go types of
// kubernetes-sigs/gateway-api apis/v1 (../shared/gateway.md §0 `GW`). std::optional = "not written".

inline constexpr const char* GROUP = "gateway.networking.k8s.io";

struct ParentReference {
    std::string group = GROUP;
    std::string kind = "Gateway";
    std::optional<std::string> ns;  // default: the route's namespace
    std::string name;
    std::optional<std::string> sectionName;
    std::optional<int> port;
};

struct HTTPPathMatch {
    std::string type = "PathPrefix";  // Exact | PathPrefix | RegularExpression
    std::string value = "/";
};

struct HTTPHeaderMatch {  // also used for query parameters
    std::string type = "Exact";  // Exact | RegularExpression
    std::string name;
    std::string value;
};

struct HTTPRouteMatch {
    HTTPPathMatch path;
    bool hasPath = false;
    std::vector<HTTPHeaderMatch> headers;
    std::vector<HTTPHeaderMatch> queryParams;
    std::optional<std::string> method;
};

struct HTTPHeader {
    std::string name, value;
};

struct HTTPHeaderFilter {
    std::vector<HTTPHeader> set, add;
    std::vector<std::string> remove;
};

struct HTTPPathModifier {
    std::string type;  // ReplaceFullPath | ReplacePrefixMatch
    std::optional<std::string> replaceFullPath, replacePrefixMatch;
};

struct HTTPRequestRedirectFilter {
    std::optional<std::string> scheme, hostname;
    std::optional<HTTPPathModifier> path;
    std::optional<int> port;
    std::optional<int> statusCode;  // default 302
};

struct HTTPURLRewriteFilter {
    std::optional<std::string> hostname;
    std::optional<HTTPPathModifier> path;
};

struct BackendObjectReference {
    std::string group;           // "" = core
    std::string kind = "Service";
    std::string name;
    std::optional<std::string> ns;
    std::optional<int> port;
};

struct Fraction {
    int numerator = 0;
    int denominator = 100;
};

struct HTTPRequestMirrorFilter {
    BackendObjectReference backendRef;
    std::optional<int> percent;        // 0-100; only one of percent and fraction (CEL)
    std::optional<Fraction> fraction;  // numerator <= denominator, denominator >= 1
};

struct HTTPCORSFilter {
    std::vector<std::string> allowOrigins, allowMethods, allowHeaders, exposeHeaders;
    bool allowCredentials = false;
    std::optional<int> maxAge;  // default 5
};

struct HTTPRouteFilter {
    std::string type;  // RequestHeaderModifier | ResponseHeaderModifier | RequestRedirect | URLRewrite | RequestMirror | CORS | ExtensionRef
    std::optional<HTTPHeaderFilter> requestHeaderModifier, responseHeaderModifier;
    std::optional<HTTPRequestRedirectFilter> requestRedirect;
    std::optional<HTTPURLRewriteFilter> urlRewrite;
    std::optional<HTTPRequestMirrorFilter> requestMirror;
    std::optional<HTTPCORSFilter> cors;
    bool hasExtensionRef = false;
};

struct HTTPBackendRef {
    BackendObjectReference ref;
    std::optional<int> weight;  // default 1
    std::vector<HTTPRouteFilter> filters;
    int effectiveWeight() const { return weight.value_or(1); }
};

struct HTTPRouteRule {
    std::optional<std::string> name;
    std::vector<HTTPRouteMatch> matches;  // as written (empty = one PathPrefix "/" match)
    std::vector<HTTPRouteFilter> filters;
    std::vector<HTTPBackendRef> backendRefs;
    std::optional<std::string> timeoutRequest, timeoutBackendRequest;  // Gateway API durations ("10s", "1h2m")
};

struct HTTPRoute {
    model::ObjectMeta meta;
    int creationOrder = 0;
    std::vector<ParentReference> parentRefs;
    std::vector<std::string> hostnames;
    std::vector<HTTPRouteRule> rules;
};

struct SecretObjectReference {
    std::string group;  // "" = core
    std::string kind = "Secret";
    std::string name;
    std::optional<std::string> ns;
};

struct Listener {
    std::string name;
    std::optional<std::string> hostname;
    int port = 0;
    std::string protocol;  // HTTP | HTTPS | TLS | TCP | UDP
    bool hasTls = false;
    std::string tlsMode = "Terminate";
    std::vector<SecretObjectReference> certificateRefs;
    std::string namespacesFrom = "Same";  // Same | All | Selector
    std::map<std::string, std::string> namespaceSelector;  // matchLabels
    std::vector<std::pair<std::string, std::string>> kinds;  // (group, kind); empty = by protocol
};

struct Gateway {
    model::ObjectMeta meta;
    int creationOrder = 0;
    std::string gatewayClassName;
    std::vector<Listener> listeners;
};

struct GatewayClass {
    model::ObjectMeta meta;
    std::string controllerName;
};

struct ReferenceGrantFrom {
    std::string group, kind, ns;
};
struct ReferenceGrantTo {
    std::string group, kind;
    std::optional<std::string> name;
};
struct ReferenceGrant {
    model::ObjectMeta meta;
    std::vector<ReferenceGrantFrom> from;
    std::vector<ReferenceGrantTo> to;
};

// Index of the workspace resource each object came from (Workspace::resources), for positions.
struct GatewayObjects {
    std::vector<GatewayClass> classes;
    std::vector<Gateway> gateways;
    std::vector<HTTPRoute> routes;
    std::vector<ReferenceGrant> grants;
    std::vector<std::size_t> gatewayResource, routeResource, grantResource, classResource;
    bool empty() const { return gateways.empty() && routes.empty(); }
};

}  // namespace ilab::gateway
