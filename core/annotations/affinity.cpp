#include "core/annotations/affinity.h"

#include <cctype>
#include <regex>

namespace ilab::annotations {

namespace {
constexpr AnnotationSpec SPECS[] = {
    {"affinity", ValueType::Enum, "", "cookie", "Session affinity type (only cookie)", "affinity"},
    {"affinity-mode", ValueType::Enum, "balanced", "balanced|persistent", "balanced redistributes on scale-up; persistent never", "affinity"},
    {"affinity-canary-behavior", ValueType::Enum, "sticky", "sticky|legacy", "Whether the affinity cookie also pins the canary", "affinity"},
    {"session-cookie-name", ValueType::CookieName, "INGRESSCOOKIE", "", "Name of the affinity cookie", "affinity"},
    {"session-cookie-path", ValueType::Path, "", "", "Cookie Path (default: the Ingress path of the location)", "affinity"},
    {"session-cookie-expires", ValueType::String, "", "", "Cookie Expires, seconds from now (an integer)", "affinity"},
    {"session-cookie-max-age", ValueType::String, "", "", "Cookie Max-Age in seconds (an integer)", "affinity"},
    {"session-cookie-domain", ValueType::String, "", "", "Cookie Domain", "affinity"},
    {"session-cookie-samesite", ValueType::Enum, "", "None|Lax|Strict", "Cookie SameSite", "affinity"},
    {"session-cookie-secure", ValueType::Bool, "false", "", "Cookie Secure (always set on HTTPS)", "affinity"},
    {"session-cookie-change-on-failure", ValueType::Bool, "false", "", "Pick a new endpoint when the pinned one fails", "affinity", false},
    {"session-cookie-conditional-samesite-none", ValueType::Bool, "false", "", "Omit SameSite=None for old browsers", "affinity"},
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
    // sessionaffinity/main.go affinityCookieExpiresRegex: "0" or a (possibly negative) integer without leading zeros;
    // anything else is dropped (the attribute is then not written).
    auto seconds = [&](const char* key) -> std::optional<std::string> {
        auto v = r.string(key);
        if (!v || v->empty()) return std::nullopt;
        static const std::regex re("^(0|-?[1-9][0-9]{0,11})$");
        if (std::regex_match(*v, re)) return v;
        r.warn(key, "must be an integer number of seconds; ingress-nginx ignores \"" + *v + "\"");
        return std::nullopt;
    };
    c.expires = seconds("session-cookie-expires");
    c.maxAge = seconds("session-cookie-max-age");
    if (auto d = r.string("session-cookie-domain"); d && !d->empty()) c.domain = d;
    // The annotation accepts none/lax/strict in any case, but lua-resty-cookie only writes the exact spellings
    // None, Lax and Strict (anything else: no SameSite attribute).
    if (auto s = r.string("session-cookie-samesite"); s && !s->empty()) {
        std::string lower = *s;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (lower != "none" && lower != "lax" && lower != "strict")
            r.warn("session-cookie-samesite", "must be None, Lax or Strict; ignored", DiagCode::NotSupported);
        else if (*s != "None" && *s != "Lax" && *s != "Strict")
            r.warn("session-cookie-samesite", "\"" + *s + "\" is accepted but lua-resty-cookie writes no SameSite for it (write None, Lax or Strict)");
        else
            c.sameSite = s;
    }
    c.secure = r.boolean("session-cookie-secure").value_or(false);
    c.conditionalSameSiteNone = r.boolean("session-cookie-conditional-samesite-none").value_or(false);
    return c;
}

}  // namespace ilab::annotations
