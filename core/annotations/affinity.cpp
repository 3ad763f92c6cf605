#include "core/annotations/affinity.h"

namespace ilab::annotations {

namespace {
constexpr AnnotationSpec SPECS[] = {
    {"affinity", ValueType::Enum, "", "cookie", "Session affinity type (only cookie)", "affinity"},
    {"affinity-mode", ValueType::Enum, "balanced", "balanced|persistent", "balanced redistributes on scale-up; persistent never", "affinity"},
    {"affinity-canary-behavior", ValueType::Enum, "sticky", "sticky|legacy", "Whether the affinity cookie also pins the canary", "affinity"},
    {"session-cookie-name", ValueType::CookieName, "INGRESSCOOKIE", "", "Name of the affinity cookie", "affinity"},
    {"session-cookie-path", ValueType::Path, "", "", "Cookie Path (default: the Ingress path of the location)", "affinity"},
    {"session-cookie-expires", ValueType::Seconds, "", "", "Cookie Expires, seconds from now", "affinity"},
    {"session-cookie-max-age", ValueType::Seconds, "", "", "Cookie Max-Age in seconds", "affinity"},
    {"session-cookie-domain", ValueType::String, "", "", "Cookie Domain", "affinity"},
    {"session-cookie-samesite", ValueType::Enum, "", "None|Lax|Strict", "Cookie SameSite", "affinity"},
    {"session-cookie-secure", ValueType::Bool, "false", "", "Cookie Secure (always set on HTTPS)", "affinity"},
    {"session-cookie-change-on-failure", ValueType::Bool, "false", "", "Pick a new endpoint when the pinned one fails", "affinity", false},
    {"session-cookie-conditional-samesite-none", ValueType::Bool, "false", "", "Omit SameSite=None for old browsers", "affinity", false},
};
}  // namespace

std::span<const AnnotationSpec> affinitySpecs() { return SPECS; }

AffinityConfig parseAffinity(const AnnotationReader& r) {
    AffinityConfig c;
    if (auto a = r.string("affinity")) {
        if (*a == "cookie") c.enabled = true;
        else r.warn("affinity", "only \"cookie\" is supported; affinity is off", DiagCode::NotSupported);
    }
    if (auto m = r.string("affinity-mode")) {
        if (*m == "balanced" || *m == "persistent") c.mode = *m;
        else r.warn("affinity-mode", "must be balanced or persistent; balanced applies", DiagCode::NotSupported);
    }
    if (auto b = r.string("affinity-canary-behavior")) {
        if (*b == "sticky" || *b == "legacy") c.canaryBehavior = *b;
        else r.warn("affinity-canary-behavior", "must be sticky or legacy; sticky applies", DiagCode::NotSupported);
    }
    if (auto n = r.string("session-cookie-name"); n && !n->empty()) c.cookieName = *n;
    c.path = r.string("session-cookie-path");
    if (r.has("session-cookie-expires") && r.integer("session-cookie-expires", 0, 1LL << 40)) c.expires = r.string("session-cookie-expires");
    if (r.has("session-cookie-max-age") && r.integer("session-cookie-max-age", 0, 1LL << 40)) c.maxAge = r.string("session-cookie-max-age");
    c.domain = r.string("session-cookie-domain");
    c.sameSite = r.string("session-cookie-samesite");
    c.secure = r.boolean("session-cookie-secure").value_or(false);
    return c;
}

}  // namespace ilab::annotations
