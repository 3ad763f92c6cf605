// What a pull takes besides the Ingresses (core/kube/pull_plan: the same list for `ingress-lab-cli cluster pull`
// and the GUI's Pull) and how a 422 from the API server becomes workspace diagnostics with YAML positions
// (kube::diagnosticsOfInvalid, what the GUI's Problems panel shows). Pure functions: no server needed; the real
// server's answers are exercised in ui_cluster_cluster_panel_test and e2e_cluster_cli_test.
#include <QJsonDocument>
#include <QTest>

#include "core/kube/api_error.h"
#include "core/kube/pull_plan.h"
#include "core/kube/workspace_objects.h"
#include "core/model/workspace.h"
#include "core/yaml/yaml_reader.h"

using namespace ilab;
using namespace ilab::kube;

namespace {

QJsonObject json(const char* text) { return QJsonDocument::fromJson(text).object(); }

QStringList keys(const std::vector<PullDependency>& deps) {
    QStringList out;
    for (const auto& d : deps) out << QString::fromStdString(d.ref.kind + " " + d.ns + "/" + d.name + d.usedBy);
    return out;
}

}  // namespace

class PullPlanTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dependenciesOfIngresses() {
        const QJsonObject a = json(R"({"metadata":{"name":"a","namespace":"lab"},"spec":{
            "defaultBackend":{"service":{"name":"zeta","port":{"number":80}}},
            "tls":[{"secretName":"a-tls"},{"hosts":["x"]}],
            "rules":[{"http":{"paths":[{"backend":{"service":{"name":"web","port":{"number":80}}}},
                                       {"backend":{"resource":{"kind":"Bucket","name":"b"}}},
                                       {"backend":{"service":{"name":"web","port":{"number":81}}}}]}}]}})");
        const QJsonObject b = json(R"({"metadata":{"name":"b","namespace":"lab",
            "annotations":{"kubernetes.io/ingress.class":"legacy"}},"spec":{"tls":[{"secretName":"a-tls"}]}})");
        const QJsonObject c = json(R"({"metadata":{"name":"c","namespace":"lab"},"spec":{"ingressClassName":"nginx"}})");
        QVERIFY(needsDefaultIngressClass({a, b, c}));
        QVERIFY(!needsDefaultIngressClass({b, c}));
        QCOMPARE(keys(ingressDependencies({a, b, c}, "dflt")),
                 QStringList({"Service lab/web (used by Ingress lab/a)", "Service lab/zeta (used by Ingress lab/a)",
                              "Secret lab/a-tls (used by Ingress lab/a)", "IngressClass /dflt (used by Ingress lab/a)",
                              "IngressClass /legacy (used by Ingress lab/b)", "IngressClass /nginx (used by Ingress lab/c)"}));
        // No default class: an Ingress without a class brings none.
        QCOMPARE(keys(ingressDependencies({a}, "")).filter(QStringLiteral("IngressClass")), QStringList());
    }

    void defaultClassName() {
        const QJsonObject plain = json(R"({"metadata":{"name":"plain"},"spec":{"controller":"k8s.io/ingress-nginx"}})");
        const QJsonObject dflt = json(R"({"metadata":{"name":"dflt","annotations":{
            "ingressclass.kubernetes.io/is-default-class":"true"}},"spec":{"controller":"k8s.io/ingress-nginx"}})");
        QCOMPARE(defaultIngressClassName({plain}), std::string());
        QCOMPARE(defaultIngressClassName({plain, dflt}), std::string("dflt"));
    }

    // The Status of a real 422 (kube-apiserver v1.20.2's wording) against a workspace object: one diagnostic per
    // cause, with the field's line, the object, and the type text once.
    void invalidStatusBecomesDiagnostics() {
        model::Workspace ws;
        yaml::readText(R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bad
  namespace: lab
spec:
  rules:
  - host: bad.example.test
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 70000
)", "bad.yaml", ws);
        QCOMPARE(ws.resources.size(), std::size_t(1));
        const ApiError e = parseStatus(422, R"({"kind":"Status","apiVersion":"v1","status":"Failure",
            "message":"Ingress.networking.k8s.io bad is invalid: spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive",
            "reason":"Invalid","details":{"name":"bad","group":"networking.k8s.io","kind":"Ingress","causes":[
            {"reason":"FieldValueInvalid","message":"Invalid value: 70000: must be between 1 and 65535, inclusive",
             "field":"spec.rules[0].http.paths[0].backend.service.port.number"},
            {"reason":"FieldValueRequired","message":"Required value","field":"spec.rules[0].http.paths[0].backend.service.extra"}]},
            "code":422})");
        const Diagnostics d = diagnosticsOfInvalid(e, ws.resources[0], "lab");
        QCOMPARE(d.size(), std::size_t(2));
        QCOMPARE(d[0].object, std::string("Ingress lab/bad"));
        QCOMPARE(d[0].code, DiagCode::Invalid);
        QCOMPARE(d[0].rule, std::string(INVALID_RULE));
        QVERIFY(d[0].pos.has_value());
        QCOMPARE(d[0].pos->line, 17);
        QCOMPARE(QString::fromStdString(d[0].message()),
                 QStringLiteral("spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be between 1 "
                                "and 65535, inclusive (the API server refused the apply)"));
        // A field not written in the file points at its nearest written parent (the service block).
        QCOMPARE(d[1].code, DiagCode::Required);
        QVERIFY2(d[1].pos->line == 14 || d[1].pos->line == 15, qPrintable(QString::number(d[1].pos->line)));
        QVERIFY2(QString::fromStdString(d[1].message()).startsWith(QStringLiteral("spec.rules[0].http.paths[0].backend.service.extra: Required value")),
                 d[1].message().c_str());
        // Without causes: the Status message at the object.
        ApiError bare = e;
        bare.causes.clear();
        const Diagnostics one = diagnosticsOfInvalid(bare, ws.resources[0], "lab");
        QCOMPARE(one.size(), std::size_t(1));
        QVERIFY(QString::fromStdString(one[0].message()).contains(QStringLiteral("is invalid")));
        QCOMPARE(one[0].pos->line, 1);
    }
};

QTEST_GUILESS_MAIN(PullPlanTest)
#include "pull_plan_test.moc"
