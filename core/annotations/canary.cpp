#include "core/annotations/canary.h"

namespace ilab::annotations {

namespace {
constexpr AnnotationSpec SPECS[] = {
    {"canary", ValueType::Bool, "false", "", "Marks this Ingress as the canary of the Ingress with the same host and path", "canary"},
    {"canary-by-header", ValueType::HeaderName, "", "", "Request header that routes to the canary: always / never / other", "canary"},
    {"canary-by-header-value", ValueType::String, "", "", "Exact (case-sensitive) value of canary-by-header that selects the canary", "canary"},
    {"canary-by-header-pattern", ValueType::Regex, "", "", "PCRE matched against canary-by-header's value; ignored when -value is set", "canary"},
    {"canary-by-cookie", ValueType::CookieName, "", "", "Cookie whose value always / never forces the canary decision", "canary"},
    {"canary-weight", ValueType::Int, "0", "", "Share of requests sent to the canary, out of canary-weight-total", "canary"},
    {"canary-weight-total", ValueType::Int, "100", "", "Total weight; values below 100 are ignored (100 applies)", "canary"},
};
}  // namespace

std::span<const AnnotationSpec> canarySpecs() { return SPECS; }

CanaryConfig parseCanary(const AnnotationReader& r) {
    CanaryConfig c;
    c.enabled = r.boolean("canary").value_or(false);
    c.byHeader = r.string("canary-by-header");
    c.byHeaderValue = r.string("canary-by-header-value");
    c.byHeaderPattern = r.string("canary-by-header-pattern");
    c.byCookie = r.string("canary-by-cookie");
    if (auto w = r.integer("canary-weight", 0, 1'000'000'000)) c.weight = *w;
    if (auto t = r.integer("canary-weight-total", 0, 1'000'000'000)) c.weightTotal = *t;
    if (c.byHeaderPattern) {
        auto re = std::make_shared<QRegularExpression>(QString::fromStdString(*c.byHeaderPattern));
        if (!re->isValid()) {
            r.warn("canary-by-header-pattern", "invalid regular expression (" + re->errorString().toStdString() +
                                                   "): a request carrying the header goes to the main backend");
        } else {
            re->optimize();
        }
        c.headerPattern = re;
    }
    const bool anyCanaryKey = c.byHeader || c.byHeaderValue || c.byHeaderPattern || c.byCookie ||
                              r.has("canary-weight") || r.has("canary-weight-total");
    if (!c.enabled && anyCanaryKey) {
        // ingress-nginx canary/main.go: errors.NewInvalidAnnotationConfiguration("canary", "configured but not enabled")
        const char* key = r.has("canary-weight") ? "canary-weight" : c.byHeader ? "canary-by-header" : c.byCookie ? "canary-by-cookie"
                        : c.byHeaderValue ? "canary-by-header-value" : c.byHeaderPattern ? "canary-by-header-pattern" : "canary-weight-total";
        r.error(key, "canary annotations configured but not enabled (nginx.ingress.kubernetes.io/canary is not \"true\"): "
                     "ingress-nginx drops this Ingress", "canary-not-enabled");
        c.misconfigured = true;
    }
    return c;
}

CanaryChoice decideCanary(const CanaryConfig& c, const std::optional<std::string>& headerValue,
                          const std::optional<std::string>& cookieValue, std::uint64_t randomValue) {
    if (c.byHeader && headerValue) {
        const std::string& v = *headerValue;
        if (c.byHeaderValue) {
            if (v == *c.byHeaderValue) return {true, "header " + *c.byHeader + " equals \"" + v + "\""};
        } else if (c.byHeaderPattern) {
            if (!c.headerPattern || !c.headerPattern->isValid())
                return {false, "canary-by-header-pattern is not a valid regex: main (cookie and weight not evaluated)"};
            if (c.headerPattern->match(QString::fromStdString(v)).hasMatch())
                return {true, "header " + *c.byHeader + " \"" + v + "\" matches pattern " + *c.byHeaderPattern};
        } else if (v == "always") {
            return {true, "header " + *c.byHeader + ": always"};
        } else if (v == "never") {
            return {false, "header " + *c.byHeader + ": never"};
        }
    }
    if (c.byCookie && cookieValue) {
        if (*cookieValue == "always") return {true, "cookie " + *c.byCookie + "=always"};
        if (*cookieValue == "never") return {false, "cookie " + *c.byCookie + "=never"};
    }
    const std::int64_t total = c.effectiveTotal();
    const std::int64_t pick = static_cast<std::int64_t>(randomValue % static_cast<std::uint64_t>(total)) + 1;  // 1..total
    const bool canary = pick <= c.weight;
    return {canary, "weight " + std::to_string(c.weight) + "/" + std::to_string(total) + ": draw " + std::to_string(pick) +
                        (canary ? " <= " : " > ") + std::to_string(c.weight)};
}

}  // namespace ilab::annotations
