#include "core/annotations/redirect.h"

namespace ilab::annotations {

namespace {
constexpr AnnotationSpec SPECS[] = {
    {"permanent-redirect", ValueType::Url, "", "", "Answer every request of this Ingress with 301 to this URL (path not appended)", "redirect"},
    {"permanent-redirect-code", ValueType::Int, "301", "", "Status for permanent-redirect (300-308)", "redirect"},
    {"temporal-redirect", ValueType::Url, "", "", "Answer every request of this Ingress with 302 to this http(s) URL; wins over permanent", "redirect"},
    {"temporal-redirect-code", ValueType::Int, "302", "", "Status for temporal-redirect (300-307)", "redirect"},
    {"from-to-www-redirect", ValueType::Bool, "false", "", "Redirect www.<host> to <host> (or the reverse) with http-redirect-code", "redirect"},
    {"relative-redirects", ValueType::Bool, "false", "", "Keep relative Location headers relative", "redirect"},
};
}  // namespace

std::span<const AnnotationSpec> redirectSpecs() { return SPECS; }

RedirectConfig parseRedirect(const AnnotationReader& r) {
    RedirectConfig c;
    c.fromToWww = r.boolean("from-to-www-redirect").value_or(false);
    c.relative = r.boolean("relative-redirects").value_or(false);
    if (auto t = r.string("temporal-redirect"); t && !t->empty()) {
        if (isHttpUrl(*t)) {
            c.url = *t;
            c.code = 302;
            if (auto code = r.raw("temporal-redirect-code")) {
                auto v = r.integer("temporal-redirect-code", 300, 307);
                if (v) c.code = static_cast<int>(*v);
            }
            if (r.has("permanent-redirect"))
                r.info("permanent-redirect", "temporal-redirect is also set and wins", "redirect-temporal-wins");
            return c;
        }
        r.warn("temporal-redirect", "must be an http:// or https:// URL; ignored");
    }
    if (auto p = r.string("permanent-redirect"); p && !p->empty()) {
        if (isHttpUrl(*p) || (*p)[0] == '/') {
            c.url = *p;
            c.code = 301;
            if (r.has("permanent-redirect-code")) {
                auto v = r.integer("permanent-redirect-code", 300, 308);
                if (v) c.code = static_cast<int>(*v);
            }
        } else {
            r.warn("permanent-redirect", "must be an http(s) URL or an absolute path; ignored");
        }
    }
    return c;
}

}  // namespace ilab::annotations
