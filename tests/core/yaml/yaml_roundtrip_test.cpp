// Workspace import and export: lossless round trips, positions, errors, conversions, kubectl equivalence.
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "core/model/ingress_builder.h"
#include "core/yaml/yaml_reader.h"
#include "core/yaml/yaml_writer.h"
#include "support/test_paths.h"

using namespace ilab;

namespace {

model::Workspace load(const std::string& text, const std::string& file = "test.yaml") {
    model::Workspace ws;
    yaml::readText(text, file, ws);
    return ws;
}

std::string fixtureText(const char* name) {
    QFile f(testing::fixture(QStringLiteral("ingresses/") + QLatin1String(name)));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll().toStdString();
}

// Canonical form of a YAML tree: maps sorted by key, scalars as strings. Two documents that are the same
// Kubernetes object print the same canonical string whatever their key order or quoting.
std::string canonical(const YAML::Node& n) {
    switch (n.Type()) {
    case YAML::NodeType::Map: {
        std::map<std::string, std::string> sorted;
        for (auto it = n.begin(); it != n.end(); ++it) sorted[it->first.Scalar()] = canonical(it->second);
        std::string out = "{";
        for (const auto& [k, v] : sorted) out += k + ":" + v + ",";
        return out + "}";
    }
    case YAML::NodeType::Sequence: {
        std::string out = "[";
        for (const auto& e : n) out += canonical(e) + ",";
        return out + "]";
    }
    case YAML::NodeType::Scalar: return "'" + n.Scalar() + "'";
    default: return "~";
    }
}

const model::Resource* findRes(const model::Workspace& ws, const std::string& kind, const std::string& name) {
    for (const auto& r : ws.resources)
        if (r.kind == kind && r.meta.name == name) return &r;
    return nullptr;
}

}  // namespace

class YamlRoundTripTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void multiIngressRoundTripIsLossless() {
        const auto first = load(fixtureText("multi-ingress.yaml"));
        // the fixture's Widget is kept on purpose; it is the one thing the importer remarks on
        QCOMPARE(first.loadDiagnostics.size(), std::size_t(1));
        QCOMPARE(first.loadDiagnostics[0].rule, std::string("unknown-kind"));
        QCOMPARE(first.resources.size(), std::size_t(5));
        const std::string exported = yaml::toYaml(first);
        const auto second = load(exported, "exported.yaml");
        QCOMPARE(second.loadDiagnostics.size(), std::size_t(1));  // the Widget again
        QVERIFY(first == second);
        // and once more: export is a fixed point
        QCOMPARE(yaml::toYaml(second), exported);
        // unknown fields and kinds survive
        const auto* web = findRes(second, "Ingress", "web");
        QVERIFY(web);
        QCOMPARE(web->node["metadata"]["x-unknown-meta"].Scalar(), std::string("keep me"));
        QCOMPARE(web->node["spec"]["someFutureField"]["nested"].size(), std::size_t(3));
        QCOMPARE(web->node["status"]["loadBalancer"]["ingress"][0]["ip"].Scalar(), std::string("192.0.2.10"));
        const auto* widget = findRes(second, "Widget", "unknown-kind");
        QVERIFY(widget);
        QVERIFY(!widget->isKnownKind());
        QCOMPARE(widget->node["spec"]["list"][1]["b"].Scalar(), std::string("2"));
        // multi-line annotation kept byte for byte
        const auto* ing = web->as<model::Ingress>();
        QVERIFY(ing);
        QCOMPARE(ing->meta.annotation("nginx.ingress.kubernetes.io/configuration-snippet"),
                 std::string("more_set_headers \"X-Frame-Options: DENY\";\nmore_set_headers \"X-Shop: yes\";\n"));
        QCOMPARE(ing->spec.rules[0].http->paths[1].backend.service->port.name.value(), std::string("http"));
        QCOMPARE(ing->spec.tls[0].secretName.value(), std::string("shop-tls"));
    }

    void quotedValuesStayStrings() {
        const auto ws = load(fixtureText("multi-ingress.yaml"));
        const std::string json = yaml::toJson(ws);
        QVERIFY2(json.find("\"nginx.ingress.kubernetes.io/use-regex\": \"true\"") != std::string::npos, json.c_str());
        QVERIFY(json.find("\"example.com/replicas\": \"3\"") != std::string::npos);
        QVERIFY(json.find("\"number\": 8080") != std::string::npos);  // plain numbers stay numbers
        const std::string y = yaml::toYaml(ws);
        QVERIFY2(y.find("nginx.ingress.kubernetes.io/use-regex: \"true\"") != std::string::npos, y.c_str());
    }

    void exportOrdersTopLevelKeys() {
        const auto ws = load("spec: {rules: []}\nmetadata: {namespace: x, name: a}\nkind: Ingress\napiVersion: networking.k8s.io/v1\n");
        const std::string y = yaml::toYaml(ws);
        QVERIFY(y.find("apiVersion") < y.find("kind"));
        QVERIFY(y.find("kind") < y.find("metadata"));
        QVERIFY(y.find("metadata") < y.find("spec"));
        QVERIFY(y.find("name: a") < y.find("namespace: x"));
    }

    void exportWritesNoFieldsTheUserDidNotWrite() {
        const auto ws = load("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - port: 80\n");
        QCOMPARE(yaml::toYaml(ws),
                 std::string("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n    - port: 80\n"));
    }

    void secretStringDataBecomesBase64Data() {
        const auto ws = load(fixtureText("multi-ingress.yaml"));
        const auto* r = findRes(ws, "Secret", "shop-tls");
        QVERIFY(r);
        QCOMPARE(r->as<model::Secret>()->tlsCert(), std::string("not-a-real-cert"));
        const YAML::Node n = yaml::normalizedNode(*r);
        QVERIFY(!n["stringData"].IsDefined());
        QCOMPARE(n["data"]["tls.crt"].Scalar(), QByteArray("not-a-real-cert").toBase64().toStdString());
        // and it reads back to the same bytes
        const auto again = load(yaml::toYaml(ws));
        QCOMPARE(findRes(again, "Secret", "shop-tls")->as<model::Secret>()->tlsKey(), std::string("not-a-real-key"));
    }

    void everyFieldKnowsItsLine() {
        const auto ws = load(fixtureText("multi-ingress.yaml"), "multi.yaml");
        const auto* web = findRes(ws, "Ingress", "web");
        QCOMPARE(web->source.find("spec.rules[0].host").line, 26);
        QCOMPARE(web->source.find("spec.rules[0].host").column, 11);
        QCOMPARE(web->source.find("spec.rules[0].http.paths[1].pathType").line, 37);
        QCOMPARE(web->source.find("metadata.annotations[nginx.ingress.kubernetes.io/use-regex]").line, 11);
        // a field that is not written falls back to its nearest ancestor
        QCOMPARE(web->source.find("spec.rules[0].http.paths[1].backend.service.port.number").line, 42);
        const auto* svc = findRes(ws, "Service", "api");
        QCOMPARE(svc->source.find("spec.ports[0].targetPort").line, 73);
        QCOMPARE(svc->source.file, std::string("multi.yaml"));
        QCOMPARE(svc->source.documentIndex, 2);
    }

    void syntaxErrorReportsPositionAndKeepsOtherDocuments() {
        const std::string text =
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: good\n---\n"
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n---\n"
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: also-good\n";
        const auto ws = load(text, "broken.yaml");
        QCOMPARE(ws.resources.size(), std::size_t(2));
        QCOMPARE(ws.resources[1].meta.name, std::string("also-good"));
        QCOMPARE(ws.resources[1].source.find("metadata.name").line, 14);
        QCOMPARE(ws.loadDiagnostics.size(), std::size_t(1));
        const Diagnostic& d = ws.loadDiagnostics[0];
        QCOMPARE(d.code, DiagCode::Syntax);
        QVERIFY(d.pos);
        QCOMPARE(d.pos->file, std::string("broken.yaml"));
        QVERIFY2(d.pos->line >= 9 && d.pos->line <= 10, std::to_string(d.pos->line).c_str());
        QVERIFY(!d.detail.empty());
    }

    void typeErrorsAreDiagnosticsNotCrashes() {
        const auto ws = load(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: t\nspec:\n  rules:\n  - host: a.com\n"
            "    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n"
            "            name: s\n            port:\n              number: \"80\"\n  tls: notalist\n");
        QCOMPARE(ws.resources.size(), std::size_t(1));
        QCOMPARE(ws.loadDiagnostics.size(), std::size_t(2));
        QCOMPARE(ws.loadDiagnostics[0].field, std::string("spec.rules[0].http.paths[0].backend.service.port.number"));
        QCOMPARE(ws.loadDiagnostics[0].pos->line, 16);
        QCOMPARE(ws.loadDiagnostics[1].field, std::string("spec.tls"));
    }

    void v1beta1IsConvertedWithAWarning() {
        const auto ws = load(fixtureText("v1beta1.yaml"), "legacy.yaml");
        QCOMPARE(ws.resources.size(), std::size_t(1));
        const auto& r = ws.resources[0];
        QCOMPARE(r.apiVersion, std::string("networking.k8s.io/v1"));
        const auto* ing = r.as<model::Ingress>();
        QVERIFY(ing);
        QCOMPARE(ing->spec.defaultBackend->service->name, std::string("fallback"));
        QCOMPARE(ing->spec.defaultBackend->service->port.number.value(), 80);
        const auto& p0 = ing->spec.rules[0].http->paths[0];
        QCOMPARE(p0.pathType.value(), std::string("ImplementationSpecific"));
        QCOMPARE(p0.backend.service->name, std::string("web"));
        QCOMPARE(p0.backend.service->port.name.value(), std::string("http"));
        QCOMPARE(ing->spec.rules[0].http->paths[1].pathType.value(), std::string("Exact"));
        QCOMPARE(ing->spec.rules[0].http->paths[1].backend.service->port.number.value(), 8080);
        QCOMPARE(ws.loadDiagnostics.size(), std::size_t(1));
        QCOMPARE(ws.loadDiagnostics[0].severity, Severity::Warning);
        QCOMPARE(ws.loadDiagnostics[0].code, DiagCode::Converted);
        QCOMPARE(ws.loadDiagnostics[0].pos->line, 1);
        // converted fields still point at what the user wrote
        QCOMPARE(r.source.find("spec.rules[0].http.paths[0].backend.service.name").line, 15);
        QCOMPARE(r.source.find("spec.defaultBackend.service.name").line, 7);
        // and the export is v1
        const std::string y = yaml::toYaml(ws);
        QVERIFY(y.find("serviceName") == std::string::npos);
        QVERIFY(y.find("defaultBackend") != std::string::npos);
    }

    void kindListIsExpanded() {
        const auto ws = load(fixtureText("list.yaml"));
        QCOMPARE(ws.resources.size(), std::size_t(2));
        QCOMPARE(ws.resources[0].kind, std::string("Service"));
        QCOMPARE(ws.resources[1].kind, std::string("Ingress"));
        QCOMPARE(ws.resources[1].source.find("spec.defaultBackend.service.name").line, 18);
    }

    void jsonInputEqualsYamlInput() {
        const auto fromYaml = load(fixtureText("multi-ingress.yaml"));
        const std::string json = yaml::toJson(fromYaml);
        const auto fromJson = load(json, "ws.json");
        QCOMPARE(fromJson.loadDiagnostics.size(), std::size_t(1));
        QCOMPARE(fromJson.loadDiagnostics[0].rule, std::string("unknown-kind"));
        QVERIFY(fromYaml == fromJson);
    }

    void folderIsReadRecursivelyInOrder() {
        QTemporaryDir dir;
        QDir(dir.path()).mkpath(QStringLiteral("sub"));
        auto write = [&](const QString& name, const QByteArray& text) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        };
        write(QStringLiteral("b.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: b}\n");
        write(QStringLiteral("a.yml"), "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n");
        write(QStringLiteral("sub/c.json"), R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"c"}})");
        write(QStringLiteral("notes.txt"), "ignored");
        bool ok = false;
        const auto ws = yaml::loadPaths({dir.path().toStdString()}, &ok);
        QVERIFY(ok);
        QCOMPARE(ws.resources.size(), std::size_t(3));
        QCOMPARE(ws.resources[0].meta.name, std::string("a"));
        QCOMPARE(ws.resources[1].meta.name, std::string("b"));
        QCOMPARE(ws.resources[2].meta.name, std::string("c"));
        bool ok2 = true;
        const auto missing = yaml::loadPaths({dir.filePath(QStringLiteral("nope.yaml")).toStdString()}, &ok2);
        QVERIFY(!ok2);
        QCOMPARE(missing.loadDiagnostics.size(), std::size_t(1));
    }

    void namespaceDefaultsToDefault() {
        const auto ws = load("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n");
        QCOMPARE(ws.resources[0].meta.ns, std::string("default"));
        QVERIFY(!ws.resources[0].meta.isNamespaceSet);
        QVERIFY(yaml::toYaml(ws).find("namespace") == std::string::npos);
    }

    void exportMatchesKubectlCreateIngress_data() {
        QTest::addColumn<QStringList>("kubectlArgs");
        QTest::addColumn<int>("draftIndex");
        QTest::newRow("exact+prefix+tls+class+annotation+default")
            << QStringList{QStringLiteral("--rule=foo.com/bar=svc1:8080,tls=my-cert"), QStringLiteral("--rule=foo.com/baz*=svc2:http"),
                           QStringLiteral("--class=nginx"), QStringLiteral("--annotation=nginx.ingress.kubernetes.io/canary=true"),
                           QStringLiteral("--default-backend=defsvc:80")}
            << 0;
        QTest::newRow("hostless prefix") << QStringList{QStringLiteral("--rule=/api*=api:80")} << 1;
        QTest::newRow("two hosts")
            << QStringList{QStringLiteral("--rule=a.example.com/=a:80"), QStringLiteral("--rule=b.example.com/x*=b:8080,tls"),
                           QStringLiteral("--namespace=shop")}
            << 2;
    }
    void exportMatchesKubectlCreateIngress() {
        const QString kubectl = QStandardPaths::findExecutable(QStringLiteral("kubectl"));
        if (kubectl.isEmpty()) QSKIP("kubectl is not installed");
        QFETCH(QStringList, kubectlArgs);
        QFETCH(int, draftIndex);
        QProcess p;
        // no kubeconfig: point kubectl away from localhost:8080 (toolchain.md pitfall 8)
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("KUBECONFIG"), QStringLiteral("/nonexistent"));
        p.setProcessEnvironment(env);
        p.start(kubectl, QStringList{QStringLiteral("create"), QStringLiteral("ingress"), QStringLiteral("demo")} + kubectlArgs +
                             QStringList{QStringLiteral("--dry-run=client"), QStringLiteral("-o"), QStringLiteral("yaml")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        YAML::Node theirs = YAML::Load(p.readAllStandardOutput().toStdString());
        // fields kubectl prints that nobody wrote
        theirs["metadata"].remove("creationTimestamp");
        theirs.remove("status");

        using P = model::IngressDraft::Path;
        model::IngressDraft d;
        d.name = "demo";
        if (draftIndex == 0) {
            d.ingressClassName = "nginx";
            d.annotations["nginx.ingress.kubernetes.io/canary"] = "true";
            d.paths = {P{"foo.com", "/bar", "Exact", "svc1", 8080, {}}, P{"foo.com", "/baz", "Prefix", "svc2", {}, std::string("http")}};
            d.tls = {{{"foo.com"}, "my-cert"}};
            d.defaultBackend = P{"", "", "", "defsvc", 80, {}};
        } else if (draftIndex == 1) {
            d.paths = {P{"", "/api", "Prefix", "api", 80, {}}};
        } else {
            d.ns = "shop";
            d.paths = {P{"a.example.com", "/", "Exact", "a", 80, {}}, P{"b.example.com", "/x", "Prefix", "b", 8080, {}}};
            d.tls = {{{"b.example.com"}, ""}};
        }
        model::Workspace ws;
        model::Resource r;
        r.kind = "Ingress";
        r.node = model::buildIngress(d);
        yaml::reparse(r);
        ws.resources.push_back(r);
        const YAML::Node ours = YAML::Load(yaml::toYaml(ws));
        QCOMPARE(canonical(ours), canonical(theirs));
    }
};

QTEST_GUILESS_MAIN(YamlRoundTripTest)
#include "yaml_roundtrip_test.moc"
