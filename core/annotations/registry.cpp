#include "core/annotations/registry.h"

#include <set>

namespace ilab::annotations {

namespace {

// ingress-nginx v1.15 annotation keys that Ingress Lab does not simulate (docs/user-guide/nginx-configuration/
// annotations.md). Together with the family tables this is the complete list of keys ingress-nginx knows.
constexpr AnnotationSpec NOT_SIMULATED[] = {
    {"auth-realm", ValueType::String, "", "", "Basic/digest auth realm", "auth", false},
    {"auth-secret", ValueType::String, "", "", "Secret with htpasswd users", "auth", false},
    {"auth-secret-type", ValueType::Enum, "auth-file", "auth-file|auth-map", "Format of auth-secret", "auth", false},
    {"auth-type", ValueType::Enum, "", "basic|digest", "Basic or digest authentication", "auth", false},
    {"auth-tls-secret", ValueType::String, "", "", "CA for client certificate authentication", "auth", false},
    {"auth-tls-verify-depth", ValueType::Int, "1", "", "Client certificate chain depth", "auth", false},
    {"auth-tls-verify-client", ValueType::Enum, "on", "on|off|optional|optional_no_ca", "Client certificate verification", "auth", false},
    {"auth-tls-error-page", ValueType::Url, "", "", "Redirect on client certificate failure", "auth", false},
    {"auth-tls-pass-certificate-to-upstream", ValueType::Bool, "false", "", "Send ssl-client-cert upstream", "auth", false},
    {"auth-tls-match-cn", ValueType::Regex, "", "", "Required client certificate CN", "auth", false},
    {"auth-url", ValueType::Url, "", "", "External authentication service", "auth", false},
    {"auth-cache-key", ValueType::String, "", "", "External auth cache key", "auth", false},
    {"auth-cache-duration", ValueType::String, "", "", "External auth cache durations", "auth", false},
    {"auth-keepalive", ValueType::Int, "0", "", "Keepalive connections to the auth service", "auth", false},
    {"auth-keepalive-share-vars", ValueType::Bool, "false", "", "Share nginx variables between the request and its auth subrequest on a kept-alive connection", "auth", false},
    {"auth-keepalive-requests", ValueType::Int, "1000", "", "Requests per kept-alive connection to the auth service", "auth", false},
    {"auth-keepalive-timeout", ValueType::Int, "60", "", "Idle seconds before a kept-alive auth connection closes", "auth", false},
    {"auth-proxy-set-headers", ValueType::String, "", "", "ConfigMap of headers for the auth request", "auth", false},
    {"auth-method", ValueType::String, "", "", "HTTP method of the auth request", "auth", false},
    {"auth-signin", ValueType::Url, "", "", "Sign-in page on 401", "auth", false},
    {"auth-signin-redirect-param", ValueType::String, "rd", "", "Query parameter auth-signin gets the original URL in", "auth", false},
    {"auth-response-headers", ValueType::StringList, "", "", "Headers copied from the auth response", "auth", false},
    {"auth-request-redirect", ValueType::String, "", "", "X-Auth-Request-Redirect header sent to the auth service", "auth", false},
    {"auth-always-set-cookie", ValueType::Bool, "false", "", "Set the auth response's cookies even when the request fails", "auth", false},
    {"enable-global-auth", ValueType::Bool, "true", "", "Apply the global external auth", "auth", false},
    {"client-body-buffer-size", ValueType::ByteSize, "", "", "Request body buffer size", "proxy", false},
    {"custom-http-errors", ValueType::StringList, "", "", "Status codes answered by the default backend", "other", false},
    {"custom-headers", ValueType::String, "", "", "ConfigMap of response headers", "other", false},
    {"disable-proxy-intercept-errors", ValueType::Bool, "false", "", "Let upstream error pages through even with custom-http-errors", "other", false},
    {"enable-access-log", ValueType::Bool, "true", "", "Access log for this Ingress", "other", false},
    {"enable-rewrite-log", ValueType::Bool, "false", "", "nginx rewrite log", "other", false},
    {"enable-opentelemetry", ValueType::Bool, "false", "", "OpenTelemetry tracing", "other", false},
    {"opentelemetry-trust-incoming-span", ValueType::Bool, "true", "", "Continue traces from the incoming request's span", "other", false},
    {"opentelemetry-operation-name", ValueType::String, "", "", "Span name for this Ingress's requests", "other", false},
    {"enable-modsecurity", ValueType::Bool, "false", "", "ModSecurity WAF", "other", false},
    {"enable-owasp-core-rules", ValueType::Bool, "false", "", "OWASP CRS", "other", false},
    {"modsecurity-transaction-id", ValueType::String, "", "", "nginx variable used as ModSecurity's transaction id", "other", false},
    {"mirror-request-body", ValueType::Bool, "true", "", "Send the request body to the mirror target too", "other", false},
    {"mirror-target", ValueType::Url, "", "", "Mirror requests to this URL", "other", false},
    {"mirror-host", ValueType::String, "", "", "Host header of mirrored requests", "other", false},
    {"load-balance", ValueType::Enum, "round_robin", "round_robin|ewma", "Load-balancing algorithm", "upstream", false},
    {"upstream-hash-by-subset", ValueType::Bool, "false", "", "Hash to a subset of endpoints instead of one", "upstream", false},
    {"upstream-hash-by-subset-size", ValueType::Int, "3", "", "Endpoints per subset for upstream-hash-by-subset", "upstream", false},
    {"service-upstream", ValueType::Bool, "false", "", "Proxy to the ClusterIP instead of endpoints", "upstream", false},
    {"proxy-buffering", ValueType::Enum, "off", "on|off", "Buffer upstream responses in nginx", "proxy", false},
    {"proxy-buffers-number", ValueType::Int, "4", "", "Number of response buffers per connection", "proxy", false},
    {"proxy-buffer-size", ValueType::ByteSize, "4k", "", "Buffer for the first part of the upstream response (headers)", "proxy", false},
    {"proxy-max-temp-file-size", ValueType::ByteSize, "1024m", "", "Largest response part buffered to a temporary file", "proxy", false},
    {"proxy-busy-buffers-size", ValueType::ByteSize, "", "", "Buffers busy sending to the client while the response is not fully read", "proxy", false},
    {"proxy-cookie-domain", ValueType::String, "off", "", "Rewrite the Domain of upstream Set-Cookie headers", "proxy", false},
    {"proxy-cookie-path", ValueType::String, "off", "", "Rewrite the Path of upstream Set-Cookie headers", "proxy", false},
    {"proxy-next-upstream", ValueType::String, "error timeout", "", "Conditions on which a request is retried on the next endpoint", "proxy", false},
    {"proxy-next-upstream-timeout", ValueType::Seconds, "0", "", "Time limit for retrying on the next endpoint (0 = none)", "proxy", false},
    {"proxy-request-buffering", ValueType::Enum, "on", "on|off", "Read the whole request body before proxying", "proxy", false},
    {"proxy-redirect-from", ValueType::String, "off", "", "Location header text to replace in upstream redirects", "proxy", false},
    {"proxy-redirect-to", ValueType::String, "", "", "Replacement for proxy-redirect-from", "proxy", false},
    {"proxy-http-version", ValueType::Enum, "1.1", "1.0|1.1", "HTTP version nginx speaks to the upstream", "proxy", false},
    {"proxy-ssl-secret", ValueType::String, "", "", "Client certificate and CA Secret for HTTPS to the upstream", "proxy", false},
    {"proxy-ssl-ciphers", ValueType::String, "", "", "Ciphers for HTTPS to the upstream", "proxy", false},
    {"proxy-ssl-name", ValueType::String, "", "", "Server name checked on the upstream's certificate", "proxy", false},
    {"proxy-ssl-protocols", ValueType::String, "", "", "TLS protocols for HTTPS to the upstream", "proxy", false},
    {"proxy-ssl-verify", ValueType::Enum, "off", "on|off", "Verify the upstream's certificate", "proxy", false},
    {"proxy-ssl-verify-depth", ValueType::Int, "1", "", "Upstream certificate chain depth", "proxy", false},
    {"proxy-ssl-server-name", ValueType::Enum, "off", "on|off", "Send SNI to the upstream", "proxy", false},
    {"connection-proxy-header", ValueType::String, "", "", "Connection header sent to the upstream", "proxy", false},
    {"satisfy", ValueType::Enum, "", "any|all", "With several auth methods: any one or all must pass", "auth", false},
    {"ssl-passthrough", ValueType::Bool, "false", "", "TLS passthrough (needs --enable-ssl-passthrough)", "tls", false},
    {"ssl-ciphers", ValueType::String, "", "", "TLS ciphers for this server", "tls", false},
    {"ssl-prefer-server-ciphers", ValueType::Bool, "false", "", "Prefer the server's cipher order", "tls", false},
    {"http2-push-preload", ValueType::Bool, "false", "", "HTTP/2 server push of Link preload headers (removed in nginx 1.25)", "other", false},
    {"configuration-snippet", ValueType::String, "", "", "nginx directives inside the location (Critical risk)", "snippet", false},
    {"server-snippet", ValueType::String, "", "", "nginx directives inside the server (Critical risk)", "snippet", false},
    {"auth-snippet", ValueType::String, "", "", "nginx directives for external auth (Critical risk)", "snippet", false},
    {"modsecurity-snippet", ValueType::String, "", "", "ModSecurity rules (Critical risk)", "snippet", false},
    {"stream-snippet", ValueType::String, "", "", "nginx stream directives (Critical risk)", "snippet", false},
};

std::vector<AnnotationSpec> buildAll() {
    std::vector<AnnotationSpec> all;
    for (auto s : {canarySpecs(), serviceWeightsSpecs(), rewriteSpecs(), redirectSpecs(), sslRedirectSpecs(), corsSpecs(),
                   rateLimitSpecs(), proxySpecs(), accessControlSpecs(), backendProtocolSpecs(), affinitySpecs(), upstreamSpecs()})
        all.insert(all.end(), s.begin(), s.end());
    all.insert(all.end(), std::begin(NOT_SIMULATED), std::end(NOT_SIMULATED));
    return all;
}

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

const std::vector<AnnotationSpec>& allSpecs() {
    static const std::vector<AnnotationSpec> all = buildAll();
    return all;
}

const AnnotationSpec* findSpec(std::string_view shortKey) {
    for (const auto& s : allSpecs())
        if (s.key == shortKey) return &s;
    return nullptr;
}

std::vector<std::string> familyNames() {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& s : allSpecs())
        if (seen.insert(std::string(s.family)).second) out.emplace_back(s.family);
    return out;
}

IngressAnnotations parseIngressAnnotations(const model::Ingress& ing, const model::Resource* res,
                                           const std::map<std::string, std::string>& configMap, const ParseOptions& opts,
                                           Diagnostics* diags) {
    AnnotationReader r(ing, res, diags);
    IngressAnnotations a;

    // Lint every key first, so nothing is dropped silently.
    for (const auto& [full, value] : ing.meta.annotations) {
        if (full.rfind(NGINX_PREFIX, 0) != 0) continue;
        const std::string key = full.substr(NGINX_PREFIX.size());
        if (endsWith(key, "-snippet")) {
            if (!opts.allowSnippetAnnotations) {
                r.error(key, "snippet annotations are refused while the ConfigMap's allow-snippet-annotations is false "
                             "(default): ingress-nginx drops this Ingress", "snippet-refused");
                a.disabled = true;
                a.disabledReasons.push_back(full + " refused (allow-snippet-annotations is false)");
            } else {
                r.warn(key, "raw nginx configuration is not simulated by Ingress Lab", DiagCode::Lint, "annotation-not-simulated");
            }
            continue;
        }
        if (key == "service-weights") {
            r.warn(key, "ingress-nginx ignores this annotation (Traefik 1.x form); the ingress-nginx way is a second Ingress "
                        "with canary: \"true\" and canary-weight. Ingress Lab applies it as an extension.",
                   DiagCode::Lint, "service-weights-not-ingress-nginx");
            continue;
        }
        const AnnotationSpec* spec = findSpec(key);
        if (!spec) {
            r.warn(key, "ingress-nginx does not know this annotation; it has no effect", DiagCode::Unknown, "annotation-unknown");
            continue;
        }
        if (!spec->simulated)
            r.warn(key, "known to ingress-nginx but not simulated by Ingress Lab", DiagCode::Lint, "annotation-not-simulated");
    }

    a.canary = parseCanary(r);
    a.serviceWeights = parseServiceWeights(r);
    a.rewrite = parseRewrite(r);
    a.redirect = parseRedirect(r);
    a.sslRedirect = parseSslRedirect(r, configMap);
    a.cors = parseCors(r);
    a.rateLimit = parseRateLimit(r, configMap);
    a.proxy = parseProxy(r, configMap);
    a.access = parseAccessControl(r);
    a.backendProtocol = parseBackendProtocol(r);
    a.affinity = parseAffinity(r);
    a.upstream = parseUpstream(r);
    if (a.canary.misconfigured) {
        a.disabled = true;
        a.disabledReasons.push_back("canary annotations configured but not enabled");
    }
    if (a.serviceWeights.invalid) {
        a.disabled = true;
        a.disabledReasons.push_back("invalid service-weights");
    }
    return a;
}

}  // namespace ilab::annotations
