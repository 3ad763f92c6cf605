// Gateway API CRD/CEL validation: each rule reports its field path, bad value and source line; a valid
// Gateway + HTTPRoute gives no diagnostics; validate() of the whole workspace includes them.

#include <QTest>

#include "core/gateway/gateway_validation.h"
#include "core/validation/validator.h"
#include "core/yaml/yaml_reader.h"

using namespace ilab;

class GatewayValidationTest : public QObject {
    Q_OBJECT
private slots:
    void validObjectsHaveNoDiagnostics();
    void rules_data();
    void rules();
    void typeErrorsCarryPositions();
};

namespace {

const char* GATEWAY = R"(apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: c
  listeners:
  - {name: http, port: 80, protocol: HTTP}
  - name: https
    port: 443
    protocol: HTTPS
    hostname: app.example
    tls: {certificateRefs: [{name: s}]}
)";

const char* ROUTE = R"(apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  hostnames: [app.example]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}, method: GET, headers: [{name: X-A, value: b}]}]
    filters:
    - type: URLRewrite
      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}
    backendRefs: [{name: svc, port: 80, weight: 3}]
)";

Diagnostics check(const std::string& text) {
    model::Workspace ws;
    yaml::readText(text, "t.yaml", ws);
    return gateway::validate(ws);
}

}  // namespace

void GatewayValidationTest::validObjectsHaveNoDiagnostics() {
    const auto d = check(std::string(GATEWAY) + "---\n" + ROUTE);
    QVERIFY2(d.empty(), d.empty() ? "" : d.front().message().c_str());
}

void GatewayValidationTest::rules_data() {
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<int>("line");
    QTest::newRow("path without slash") << "value: /api}" << "value: api}" << "spec.rules[0].matches[0].path" << "start with '/'" << 8;
    QTest::newRow("path with //") << "value: /api}" << "value: /a//b}" << "spec.rules[0].matches[0].path" << "must not contain '//'" << 8;
    QTest::newRow("unknown method") << "method: GET" << "method: FETCH" << "spec.rules[0].matches[0].method" << "supported values" << 8;
    QTest::newRow("weight too large") << "weight: 3" << "weight: 2000000" << "spec.rules[0].backendRefs[0].weight" << "between 0 and 1000000" << 12;
    QTest::newRow("service without port") << "{name: svc, port: 80, weight: 3}" << "{name: svc}" << "spec.rules[0].backendRefs[0]" << "Must have port" << 12;
    QTest::newRow("uppercase hostname") << "hostnames: [app.example]" << "hostnames: [App.example]" << "spec.hostnames[0]" << "should match" << 6;
    QTest::newRow("redirect with backends") << "type: URLRewrite\n      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}"
                                            << "type: RequestRedirect\n      requestRedirect: {statusCode: 302}" << "spec.rules[0]"
                                            << "must not be used together with backendRefs" << 8;
    QTest::newRow("redirect status") << "type: URLRewrite\n      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}"
                                     << "type: RequestRedirect\n      requestRedirect: {statusCode: 304}" << "spec.rules[0].filters[0].requestRedirect.statusCode"
                                     << "301, 302, 303, 307, 308" << 11;
    QTest::newRow("filter field mismatch") << "type: URLRewrite" << "type: RequestHeaderModifier" << "spec.rules[0].filters[0]"
                                           << "must be nil if the filter.type is not URLRewrite" << 10;
    QTest::newRow("prefix replace with exact") << "type: PathPrefix" << "type: Exact" << "spec.rules[0].filters"
                                               << "exactly one PathPrefix match" << 10;
    QTest::newRow("mirror percent and fraction") << "type: URLRewrite\n      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}"
                                                 << "type: RequestMirror\n      requestMirror: {backendRef: {name: m, port: 80}, percent: 10, fraction: {numerator: 1}}"
                                                 << "spec.rules[0].filters[0].requestMirror" << "Only one of percent or fraction" << 11;
    QTest::newRow("mirror fraction above one") << "type: URLRewrite\n      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}"
                                               << "type: RequestMirror\n      requestMirror: {backendRef: {name: m, port: 80}, fraction: {numerator: 3, denominator: 2}}"
                                               << "spec.rules[0].filters[0].requestMirror.fraction" << "numerator must be less than or equal to denominator" << 11;
    QTest::newRow("mirror fraction denominator 0") << "type: URLRewrite\n      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}"
                                                   << "type: RequestMirror\n      requestMirror: {backendRef: {name: m, port: 80}, fraction: {numerator: 0, denominator: 0}}"
                                                   << "spec.rules[0].filters[0].requestMirror.fraction.denominator" << "greater than or equal to 1" << 0;
    QTest::newRow("https without tls") << "    tls: {certificateRefs: [{name: s}]}\n" << "" << "spec.listeners" << "tls mode must be set" << 0;
    QTest::newRow("duplicate listener") << "- name: https\n    port: 443\n    protocol: HTTPS\n    hostname: app.example"
                                        << "- name: http\n    port: 443\n    protocol: HTTPS\n    hostname: app.example" << "spec.listeners"
                                        << "Listener name must be unique" << 0;
}

void GatewayValidationTest::rules() {
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, field);
    QFETCH(QString, detail);
    QFETCH(int, line);
    std::string text = std::string(GATEWAY) + "---\n" + ROUTE;
    const auto at = text.find(from.toStdString());
    QVERIFY(at != std::string::npos);
    text.replace(at, from.size(), to.toStdString());
    const auto diags = check(text);
    bool found = false;
    for (const auto& d : diags) {
        if (d.field != field.toStdString() || d.detail.find(detail.toStdString()) == std::string::npos) continue;
        found = true;
        QCOMPARE(d.rule, std::string("apiserver-gateway"));
        QVERIFY(d.pos.has_value());
        if (line > 0) QCOMPARE(d.pos->line, line + 13);  // the route starts after the Gateway (12 lines) and "---"
    }
    std::string all;
    for (const auto& d : diags) all += d.message() + "\n";
    QVERIFY2(found, all.c_str());
}

void GatewayValidationTest::typeErrorsCarryPositions() {
    model::Workspace ws;
    yaml::readText(std::string(GATEWAY) + "---\n" + "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\n"
                   "spec:\n  parentRefs: [{name: gw}]\n  rules: {oops: 1}\n", "t.yaml", ws);
    const auto diags = validation::validate(ws);
    bool found = false;
    for (const auto& d : diags)
        if (d.field == "spec.rules" && d.code == DiagCode::TypeInvalid) {
            found = true;
            QVERIFY(d.pos.has_value());
            QCOMPARE(d.pos->line, 19);
        }
    QVERIFY(found);
}

QTEST_GUILESS_MAIN(GatewayValidationTest)
#include "gateway_validation_test.moc"
