#include "core/annotations/ssl_redirect.h"

namespace ilab::annotations {

namespace {
constexpr AnnotationSpec SPECS[] = {
    {"ssl-redirect", ValueType::Bool, "true", "", "Redirect HTTP to HTTPS (http-redirect-code, 308) when the host has a TLS certificate", "ssl-redirect"},
    {"force-ssl-redirect", ValueType::Bool, "false", "", "Redirect HTTP to HTTPS even when the host has no TLS section", "ssl-redirect"},
    {"preserve-trailing-slash", ValueType::Bool, "false", "", "Keep the trailing '/' of the request URI in the HTTPS redirect", "ssl-redirect"},
    {"use-port-in-redirects", ValueType::Bool, "false", "", "Put the HTTPS listen port into the redirect Location", "ssl-redirect"},
};

bool cfgBool(const std::map<std::string, std::string>& cfg, const char* key, bool def) {
    auto it = cfg.find(key);
    if (it == cfg.end()) return def;
    if (it->second == "true") return true;
    if (it->second == "false") return false;
    return def;
}
}  // namespace

std::span<const AnnotationSpec> sslRedirectSpecs() { return SPECS; }

SslRedirectConfig parseSslRedirect(const AnnotationReader& r, const std::map<std::string, std::string>& cfg) {
    SslRedirectConfig c;
    c.sslRedirect = r.boolean("ssl-redirect").value_or(cfgBool(cfg, "ssl-redirect", true));
    c.forceSslRedirect = r.boolean("force-ssl-redirect").value_or(cfgBool(cfg, "force-ssl-redirect", false));
    c.preserveTrailingSlash = r.boolean("preserve-trailing-slash").value_or(cfgBool(cfg, "preserve-trailing-slash", false));
    c.usePortInRedirects = r.boolean("use-port-in-redirects").value_or(cfgBool(cfg, "use-port-in-redirects", false));
    return c;
}

}  // namespace ilab::annotations
