// Annotation families: registry completeness, typed parsing with defaults and warnings, lint of unknown /
// not simulated / snippet / service-weights keys, and the per-family decision helpers.

#include <QTest>

#include "core/annotations/registry.h"
#include "core/yaml/yaml_reader.h"

using namespace ilab;
using namespace ilab::annotations;

namespace {

struct Parsed {
    model::Workspace ws;
    IngressAnnotations ann;
    Diagnostics diags;
};

Parsed parse(const std::map<std::string, std::string>& annotations, const std::map<std::string, std::string>& cfg = {},
             bool allowSnippets = false) {
    Parsed p;
    std::string yaml = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n";
    for (const auto& [k, v] : annotations) yaml += "    " + k + ": '" + v + "'\n";
    yaml += "spec:\n  defaultBackend: {service: {name: web, port: {number: 80}}}\n";
    yaml::readText(yaml, "ann.yaml", p.ws);
    const auto* res = &p.ws.resources.at(0);
    ParseOptions opts;
    opts.allowSnippetAnnotations = allowSnippets;
    p.ann = parseIngressAnnotations(*res->as<model::Ingress>(), res, cfg, opts, &p.diags);
    return p;
}

const Diagnostic* findRule(const Diagnostics& ds, const std::string& rule) {
    for (const auto& d : ds)
        if (d.rule == rule) return &d;
    return nullptr;
}

std::string key(const char* k) { return std::string(NGINX_PREFIX) + k; }

}  // namespace

class AnnotationsTest : public QObject {
    Q_OBJECT
private slots:
    void registryCoversFamilies();
    void defaults();
    void invalidValueWarnsAndKeepsDefault_data();
    void invalidValueWarnsAndKeepsDefault();
    void lintUnknownAndNotSimulated();
    void snippetsRefusedUnlessAllowed();
    void canaryPrecedence();
    void corsOrigins_data();
    void corsOrigins();
    void affinityCookieAttributes();
    void accessControl_data();
    void accessControl();
    void rewriteCaptures_data();
    void rewriteCaptures();
    void redirects();
    void byteSizes_data();
    void byteSizes();
};

void AnnotationsTest::registryCoversFamilies() {
    const auto families = familyNames();
    for (const char* f : {"canary", "service-weights", "rewrite", "redirect", "ssl-redirect", "cors", "rate-limit", "proxy",
                          "access-control", "backend-protocol", "affinity", "upstream"})
        QVERIFY2(std::find(families.begin(), families.end(), f) != families.end(), f);
    for (const char* k : {"canary-weight", "cors-max-age", "limit-rps", "proxy-body-size", "denylist-source-range", "app-root",
                          "from-to-www-redirect", "x-forwarded-prefix", "upstream-vhost", "default-backend", "auth-url",
                          "configuration-snippet", "session-cookie-name", "backend-protocol"}) {
        const AnnotationSpec* s = findSpec(k);
        QVERIFY2(s, k);
        QVERIFY(!s->family.empty());
    }
    QCOMPARE(findSpec("cors-max-age")->defaultText, std::string_view("1728000"));
    QCOMPARE(findSpec("backend-protocol")->type, ValueType::Enum);
    QVERIFY(!findSpec("auth-url")->simulated);
    QVERIFY(findSpec("canary")->simulated);
    QVERIFY(findSpec("no-such-key") == nullptr);
    // Keys are unique.
    std::set<std::string_view> seen;
    for (const auto& s : allSpecs()) QVERIFY2(seen.insert(s.key).second, std::string(s.key).c_str());
}

void AnnotationsTest::defaults() {
    auto p = parse({});
    QVERIFY(p.diags.empty());
    QCOMPARE(p.ann.proxy.maxBodyBytes.value(), std::uint64_t(1024 * 1024));
    QVERIFY(p.ann.sslRedirect.sslRedirect);
    QVERIFY(!p.ann.sslRedirect.forceSslRedirect);
    QCOMPARE(p.ann.rateLimit.burstMultiplier, 5);
    QCOMPARE(p.ann.rateLimit.rejectStatus, 503);
    QCOMPARE(p.ann.backendProtocol, std::string("HTTP"));
    QCOMPARE(p.ann.canary.effectiveTotal(), std::int64_t(100));
    auto cors = parse({{key("enable-cors"), "true"}});
    QCOMPARE(cors.ann.cors.allowMethods, std::string("GET, PUT, POST, DELETE, PATCH, OPTIONS"));
    QCOMPARE(cors.ann.cors.maxAge, std::string("1728000"));
    QVERIFY(cors.ann.cors.allowCredentials);
    // ConfigMap defaults apply.
    auto cm = parse({}, {{"proxy-body-size", "0"}, {"ssl-redirect", "false"}, {"limit-req-status-code", "429"}});
    QVERIFY(!cm.ann.proxy.maxBodyBytes.has_value());
    QVERIFY(!cm.ann.sslRedirect.sslRedirect);
    QCOMPARE(cm.ann.rateLimit.rejectStatus, 429);
}

void AnnotationsTest::invalidValueWarnsAndKeepsDefault_data() {
    QTest::addColumn<QString>("k");
    QTest::addColumn<QString>("value");
    QTest::newRow("bool") << "ssl-redirect" << "yes please";
    QTest::newRow("int") << "limit-rps" << "ten";
    QTest::newRow("size") << "proxy-body-size" << "15r";
    QTest::newRow("enum") << "backend-protocol" << "SMTP";
    QTest::newRow("app-root absolute") << "app-root" << "https://example.com/x";
    QTest::newRow("cidr") << "denylist-source-range" << "not-an-ip";
}

void AnnotationsTest::invalidValueWarnsAndKeepsDefault() {
    QFETCH(QString, k);
    QFETCH(QString, value);
    auto p = parse({{key(k.toLatin1().constData()), value.toStdString()}});
    QVERIFY(!p.diags.empty());
    const auto& d = p.diags.front();
    QCOMPARE(d.severity, Severity::Warning);
    QCOMPARE(d.field, "metadata.annotations[" + key(k.toLatin1().constData()) + "]");
    QCOMPARE(d.badValue.value_or(""), value.toStdString());
    QVERIFY(d.pos && d.pos->line >= 5);
    QVERIFY(!p.ann.disabled);
    QVERIFY(p.ann.sslRedirect.sslRedirect);
    QCOMPARE(p.ann.proxy.maxBodyBytes.value(), std::uint64_t(1024 * 1024));
    QCOMPARE(p.ann.backendProtocol, std::string("HTTP"));
    QVERIFY(!p.ann.rewrite.appRoot);
}

void AnnotationsTest::lintUnknownAndNotSimulated() {
    auto p = parse({{key("no-such-annotation"), "x"}, {key("auth-url"), "http://auth"}, {key("service-weights"), "a: 100%"},
                    {"example.com/other", "not ours"}});
    const auto* unknown = findRule(p.diags, "annotation-unknown");
    QVERIFY(unknown);
    QCOMPARE(unknown->field, "metadata.annotations[" + key("no-such-annotation") + "]");
    QVERIFY(unknown->detail.find("ingress-nginx does not know") != std::string::npos);
    const auto* notSim = findRule(p.diags, "annotation-not-simulated");
    QVERIFY(notSim);
    QVERIFY(notSim->detail.find("not simulated by Ingress Lab") != std::string::npos);
    const auto* sw = findRule(p.diags, "service-weights-not-ingress-nginx");
    QVERIFY(sw);
    QVERIFY(sw->detail.find("ingress-nginx ignores this annotation (Traefik 1.x form); the ingress-nginx way is a second Ingress with canary: \"true\" and canary-weight") != std::string::npos);
    QCOMPARE(p.diags.size(), std::size_t(3));  // keys outside nginx.ingress.kubernetes.io/ are not ours to lint
}

void AnnotationsTest::snippetsRefusedUnlessAllowed() {
    auto refused = parse({{key("configuration-snippet"), "more_set_headers x;"}});
    QVERIFY(refused.ann.disabled);
    const auto* d = findRule(refused.diags, "snippet-refused");
    QVERIFY(d);
    QCOMPARE(d->severity, Severity::Error);
    auto allowed = parse({{key("configuration-snippet"), "more_set_headers x;"}}, {}, true);
    QVERIFY(!allowed.ann.disabled);
    QVERIFY(findRule(allowed.diags, "annotation-not-simulated"));
}

void AnnotationsTest::canaryPrecedence() {
    auto p = parse({{key("canary"), "true"}, {key("canary-by-header"), "X-C"}, {key("canary-by-header-pattern"), "["},
                    {key("canary-by-cookie"), "ck"}, {key("canary-weight"), "100"}});
    QVERIFY(findRule(p.diags, "annotation-invalid"));  // the invalid pattern is reported
    const auto& c = p.ann.canary;
    // A header present with an invalid pattern -> main immediately (cookie and weight not evaluated).
    QVERIFY(!decideCanary(c, std::string("x"), std::string("always"), 0).useCanary);
    // Header absent: cookie decides, then weight.
    QVERIFY(!decideCanary(c, std::nullopt, std::string("never"), 0).useCanary);
    QVERIFY(decideCanary(c, std::nullopt, std::nullopt, 0).useCanary);
    // Value wins over pattern when both are set.
    auto v = parse({{key("canary"), "true"}, {key("canary-by-header"), "X-C"}, {key("canary-by-header-value"), "on"},
                    {key("canary-by-header-pattern"), ".*"}});
    QVERIFY(decideCanary(v.ann.canary, std::string("on"), std::nullopt, 0).useCanary);
    QVERIFY(!decideCanary(v.ann.canary, std::string("off"), std::nullopt, 0).useCanary);
}

void AnnotationsTest::corsOrigins_data() {
    QTest::addColumn<QString>("allow");
    QTest::addColumn<QString>("origin");
    QTest::addColumn<QString>("acao");  // "" = not allowed
    QTest::newRow("default star") << "" << "https://a.example" << "*";
    QTest::newRow("listed") << "https://a.example, http://b.example" << "http://b.example" << "http://b.example";
    QTest::newRow("not listed") << "https://a.example" << "https://c.example" << "";
    QTest::newRow("port must match") << "http://origin.com" << "http://origin.com:8080" << "";
    QTest::newRow("port required") << "http://origin.com:8080" << "http://origin.com" << "";
    QTest::newRow("wildcard one label") << "http://*.origin.com" << "http://foo.origin.com" << "http://foo.origin.com";
    QTest::newRow("case-insensitive") << "https://A.example" << "https://a.EXAMPLE" << "https://a.EXAMPLE";
    QTest::newRow("star in list") << "https://a.example, *" << "https://z.example" << "*";
    // The only entry has no scheme: dropped, and with no origin left the template checks none: nothing is allowed.
    QTest::newRow("only invalid entry: none allowed") << "origin.cors.com:8080" << "http://origin.cors.com:8080" << "";
    QTest::newRow("invalid entry dropped, rest kept") << "origin.cors.com:8080, https://b.example" << "https://b.example" << "https://b.example";
    QTest::newRow("custom scheme") << "tauri://localhost:3000, http://localhost:8080" << "tauri://localhost:3000" << "tauri://localhost:3000";
    QTest::newRow("custom scheme other port") << "tauri://localhost:3000" << "tauri://localhost:3001" << "";
    // Values the annotation validator rejects (spaces removed): ingress-nginx falls back to "*".
    QTest::newRow("upper-case scheme: invalid value") << "HTTPS://a.example" << "https://z.example" << "*";
    QTest::newRow("star and a name: invalid value") << "*, foo.bar.com" << "https://z.example" << "*";
    QTest::newRow("path in origin: invalid value") << "https://a.example/app" << "https://z.example" << "*";
    QTest::newRow("only blanks") << "   " << "https://z.example" << "*";
}

void AnnotationsTest::corsOrigins() {
    QFETCH(QString, allow);
    QFETCH(QString, origin);
    QFETCH(QString, acao);
    std::map<std::string, std::string> a{{key("enable-cors"), "true"}};
    if (!allow.isEmpty()) a[key("cors-allow-origin")] = allow.toStdString();
    auto p = parse(a);
    auto got = corsAllowOrigin(p.ann.cors, origin.toStdString());
    QCOMPARE(QString::fromStdString(got.value_or("")), acao);
}

// sessionaffinity/main.go + sticky.lua/lua-resty-cookie: what reaches the Set-Cookie writer.
void AnnotationsTest::affinityCookieAttributes() {
    auto p = parse({{key("affinity"), "cookie"}, {key("session-cookie-samesite"), "Strict"}, {key("session-cookie-max-age"), "-1"},
                    {key("session-cookie-expires"), "3600"}, {key("session-cookie-conditional-samesite-none"), "true"}});
    QCOMPARE(p.ann.affinity.sameSite.value_or(""), std::string("Strict"));
    QCOMPARE(p.ann.affinity.maxAge.value_or(""), std::string("-1"));  // a negative Max-Age is written as given
    QCOMPARE(p.ann.affinity.expires.value_or(""), std::string("3600"));
    QVERIFY(p.ann.affinity.conditionalSameSiteNone);
    QCOMPARE(p.ann.affinity.cookieName, std::string("INGRESSCOOKIE"));
    // Lower-case SameSite passes the annotation validator but lua-resty-cookie writes none: dropped, with a warning.
    auto lower = parse({{key("affinity"), "cookie"}, {key("session-cookie-samesite"), "lax"}, {key("session-cookie-expires"), "soon"}});
    QVERIFY(!lower.ann.affinity.sameSite);
    QVERIFY(!lower.ann.affinity.expires);
    QCOMPARE(static_cast<int>(lower.diags.size()), 2);
}

void AnnotationsTest::accessControl_data() {
    QTest::addColumn<QString>("allow");
    QTest::addColumn<QString>("deny");
    QTest::addColumn<QString>("ip");
    QTest::addColumn<int>("status");
    QTest::newRow("no lists") << "" << "" << "1.2.3.4" << 0;
    QTest::newRow("in allowlist") << "10.0.0.0/8" << "" << "10.1.2.3" << 0;
    QTest::newRow("outside allowlist") << "10.0.0.0/8" << "" << "11.0.0.1" << 403;
    QTest::newRow("denied") << "" << "18.0.0.0/8, 56.0.0.1" << "56.0.0.1" << 403;
    QTest::newRow("deny beats allow") << "18.0.0.0/8" << "18.1.0.0/16" << "18.1.0.1" << 403;
    QTest::newRow("allowed, not denied") << "18.0.0.0/8" << "18.1.0.0/16" << "18.2.0.1" << 0;
    QTest::newRow("invalid allowlist -> 503") << "bogus" << "" << "1.2.3.4" << 503;
    QTest::newRow("ipv6") << "2001:db8::/32" << "" << "2001:db8::1" << 0;
}

void AnnotationsTest::accessControl() {
    QFETCH(QString, allow);
    QFETCH(QString, deny);
    QFETCH(QString, ip);
    QFETCH(int, status);
    std::map<std::string, std::string> a;
    if (!allow.isEmpty()) a[key("allowlist-source-range")] = allow.toStdString();
    if (!deny.isEmpty()) a[key("denylist-source-range")] = deny.toStdString();
    auto p = parse(a);
    std::string why;
    QCOMPARE(accessStatus(p.ann.access, ip.toStdString(), &why), status);
    QVERIFY(!why.empty());
}

void AnnotationsTest::rewriteCaptures_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("uri");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("result");
    QTest::newRow("doc 1") << "/something(/|$)(.*)" << "/$2" << "/something" << "" << "/";
    QTest::newRow("doc 2") << "/something(/|$)(.*)" << "/$2" << "/something/new" << "" << "/new";
    QTest::newRow("query kept") << "/api/(.*)" << "/v2/$1" << "/api/users" << "a=1" << "/v2/users?a=1";
    QTest::newRow("target ending ? drops query") << "/api/(.*)" << "/v2/$1?" << "/api/users" << "a=1" << "/v2/users";
    QTest::newRow("case-insensitive") << "/API/(.*)" << "/$1" << "/api/x" << "" << "/x";
    QTest::newRow("whole path replaced") << "/abc" << "/header" << "/abc/def" << "" << "/header";
}

void AnnotationsTest::rewriteCaptures() {
    QFETCH(QString, path);
    QFETCH(QString, target);
    QFETCH(QString, uri);
    QFETCH(QString, query);
    QFETCH(QString, result);
    auto re = makeRewriteRegex(path.toStdString());
    auto out = applyRewrite(*re, target.toStdString(), uri.toStdString(), query.toStdString());
    QVERIFY(out.has_value());
    QCOMPARE(QString::fromStdString(*out), result);
}

void AnnotationsTest::redirects() {
    auto both = parse({{key("permanent-redirect"), "https://p.example/"}, {key("temporal-redirect"), "https://t.example/"}});
    QCOMPARE(both.ann.redirect.url.value_or(""), std::string("https://t.example/"));
    QCOMPARE(both.ann.redirect.code, 302);
    auto code = parse({{key("permanent-redirect"), "https://p.example/"}, {key("permanent-redirect-code"), "308"}});
    QCOMPARE(code.ann.redirect.code, 308);
    auto badCode = parse({{key("permanent-redirect"), "https://p.example/"}, {key("permanent-redirect-code"), "399"}});
    QCOMPARE(badCode.ann.redirect.code, 301);
    QVERIFY(findRule(badCode.diags, "annotation-invalid"));
    auto notUrl = parse({{key("temporal-redirect"), "ftp://x"}});
    QVERIFY(!notUrl.ann.redirect.url);
}

void AnnotationsTest::byteSizes_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bytes");  // -1 = invalid
    QTest::newRow("plain") << "1024" << qint64(1024);
    QTest::newRow("k") << "8k" << qint64(8192);
    QTest::newRow("m") << "8m" << qint64(8 * 1024 * 1024);
    QTest::newRow("M") << "1M" << qint64(1024 * 1024);
    QTest::newRow("g") << "1g" << qint64(1024LL * 1024 * 1024);
    QTest::newRow("zero") << "0" << qint64(0);
    QTest::newRow("bad unit") << "15r" << qint64(-1);
    QTest::newRow("empty") << "" << qint64(-1);
}

void AnnotationsTest::byteSizes() {
    QFETCH(QString, text);
    QFETCH(qint64, bytes);
    auto v = parseByteSize(text.toStdString());
    QCOMPARE(v ? qint64(*v) : qint64(-1), bytes);
}

QTEST_GUILESS_MAIN(AnnotationsTest)
#include "annotations_test.moc"
