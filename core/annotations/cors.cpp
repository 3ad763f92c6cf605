#include "core/annotations/cors.h"

namespace ilab::annotations {

namespace {
constexpr AnnotationSpec SPECS[] = {
    {"enable-cors", ValueType::Bool, "false", "", "Answer CORS preflights (204) and add CORS headers to responses", "cors"},
    {"cors-allow-origin", ValueType::StringList, "*", "", "Allowed origins: '*' or scheme://host[:port], scheme://*.host[:port]", "cors"},
    {"cors-allow-methods", ValueType::StringList, "GET, PUT, POST, DELETE, PATCH, OPTIONS", "", "Access-Control-Allow-Methods", "cors"},
    {"cors-allow-headers", ValueType::StringList,
     "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization", "",
     "Access-Control-Allow-Headers", "cors"},
    {"cors-expose-headers", ValueType::StringList, "", "", "Access-Control-Expose-Headers (omitted when empty)", "cors"},
    {"cors-allow-credentials", ValueType::Bool, "true", "", "Send Access-Control-Allow-Credentials: true", "cors"},
    {"cors-max-age", ValueType::Seconds, "1728000", "", "Access-Control-Max-Age in seconds", "cors"},
};

// ingress-nginx cors/main.go corsOriginRegex (one entry): a lower-case scheme of letters (http, https, tauri, ...),
// "://", an optional "*." and host characters, an optional port; or null. Case-sensitive, as Go's regexp.
const QRegularExpression& originSyntax() {
    static const QRegularExpression re(QStringLiteral("^([a-z]+://(\\*\\.)?[A-Za-z0-9\\-.]*(:\\d+)?|null)$"));
    return re;
}

// corsOriginRegexValidator: the whole annotation value, spaces removed (parser.ValidateRegex(..., true)); when it
// does not match, ingress-nginx ignores the annotation and allows every origin ("*").
const QRegularExpression& originListSyntax() {
    static const QRegularExpression re(
        QStringLiteral("^((((([a-z]+://)?(\\*\\.)?[A-Za-z0-9\\-.]*(:\\d+)?,?)|null)+)|\\*)?$"));
    return re;
}

QString originToRegex(const std::string& origin) {
    // template.go buildOriginRegex: escape dots, '*' = one label.
    QString out;
    for (char ch : origin) {
        if (ch == '.') out += QStringLiteral("\\.");
        else if (ch == '*') out += QStringLiteral("[A-Za-z0-9\\-]+");
        else out += QChar(ch);
    }
    return out;
}
}  // namespace

std::span<const AnnotationSpec> corsSpecs() { return SPECS; }

CorsConfig parseCors(const AnnotationReader& r) {
    CorsConfig c;
    c.enabled = r.boolean("enable-cors").value_or(false);
    if (auto o = r.raw("cors-allow-origin")) {
        QString compact = QString::fromStdString(*o);
        compact.remove(QLatin1Char(' '));
        QStringList alternatives;
        bool star = false;
        if (QString::fromStdString(*o).trimmed().isEmpty()) {
            star = true;  // an empty value is no value: the default "*"
        } else if (!originListSyntax().match(compact).hasMatch()) {
            r.warn("cors-allow-origin", "\"" + *o + "\" is not a list of scheme://host[:port]; ingress-nginx ignores it and allows every origin");
            star = true;
        } else {
            for (const auto& item : splitList(*o)) {
                if (item == "*") {
                    star = true;
                    break;
                }
                if (!originSyntax().match(QString::fromStdString(item)).hasMatch()) {
                    r.warn("cors-allow-origin", "origin \"" + item + "\" is not scheme://host[:port]; ingress-nginx drops it");
                    continue;
                }
                c.origins.push_back(item);
                alternatives << originToRegex(item);
            }
        }
        // Entries given but every one dropped: the template writes no origin check, so no request gets CORS headers.
        c.anyOrigin = star;
        if (star) c.origins.clear();
        if (!c.anyOrigin && !alternatives.isEmpty()) {
            // Anchored at the end only (nginx.tmpl: if ($http_origin ~* (<regex>)$ )).
            auto re = std::make_shared<QRegularExpression>(QStringLiteral("(") + alternatives.join(QLatin1Char('|')) +
                                                               QStringLiteral(")$"),
                                                           QRegularExpression::CaseInsensitiveOption);
            re->optimize();
            c.originRegex = re;
        }
    }
    if (auto m = r.string("cors-allow-methods"); m && !m->empty()) c.allowMethods = *m;
    if (auto h = r.string("cors-allow-headers"); h && !h->empty()) c.allowHeaders = *h;
    if (auto e = r.string("cors-expose-headers")) c.exposeHeaders = *e;
    c.allowCredentials = r.boolean("cors-allow-credentials").value_or(true);
    if (auto a = r.integer("cors-max-age", 0, 1LL << 40)) c.maxAge = std::to_string(*a);
    return c;
}

std::optional<std::string> corsAllowOrigin(const CorsConfig& c, const std::optional<std::string>& origin) {
    if (!c.enabled) return std::nullopt;
    if (c.anyOrigin) return std::string("*");
    if (!origin || !c.originRegex) return std::nullopt;
    if (c.originRegex->match(QString::fromStdString(*origin)).hasMatch()) return *origin;
    return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> corsHeaders(const CorsConfig& c, const std::string& allowOrigin) {
    std::vector<std::pair<std::string, std::string>> h;
    h.emplace_back("Access-Control-Allow-Origin", allowOrigin);
    if (c.allowCredentials) h.emplace_back("Access-Control-Allow-Credentials", "true");
    h.emplace_back("Access-Control-Allow-Methods", c.allowMethods);
    h.emplace_back("Access-Control-Allow-Headers", c.allowHeaders);
    if (!c.exposeHeaders.empty()) h.emplace_back("Access-Control-Expose-Headers", c.exposeHeaders);
    h.emplace_back("Access-Control-Max-Age", c.maxAge);
    return h;
}

}  // namespace ilab::annotations
