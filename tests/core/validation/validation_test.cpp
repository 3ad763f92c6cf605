// validate(): the API server's rules (cases after Kubernetes' pkg/apis/networking/validation/validation_test.go
// and core/apps validation), the ingress-nginx admission webhook, the controller lint, and source positions.
// YAML snippets avoid double quotes inside raw strings (moc, toolchain.md pitfall 5).
#include <QTest>

#include <ctime>

#include "core/tls/certificate.h"
#include "core/validation/name_rules.h"
#include "core/validation/validator.h"
#include "core/yaml/yaml_reader.h"
#include "support/test_paths.h"

using namespace ilab;

namespace {

Diagnostics run(const std::string& yaml, validation::ValidationOptions opts = {}) {
    model::Workspace ws;
    yaml::readText(yaml, "test.yaml", ws);
    return validation::validate(ws, opts);
}

Diagnostics withRule(const Diagnostics& all, const std::string& prefix) {
    Diagnostics out;
    for (const auto& d : all)
        if (d.rule.rfind(prefix, 0) == 0) out.push_back(d);
    return out;
}

Diagnostics errorsOf(const Diagnostics& all) {
    Diagnostics out;
    for (const auto& d : all)
        if (d.severity == Severity::Error) out.push_back(d);
    return out;
}

const Diagnostic* findDiag(const Diagnostics& all, const std::string& field, const std::string& rule = {}) {
    for (const auto& d : all)
        if (d.field == field && (rule.empty() || d.rule == rule)) return &d;
    return nullptr;
}

QString dump(const Diagnostics& ds) {
    QString out;
    for (const auto& d : ds)
        out += QString("\n  [%1 %2] %3").arg(QString::fromStdString(d.rule), toString(d.severity), QString::fromStdString(d.message()));
    return out;
}

// One Ingress with one path; the pieces are substituted as written (YAML fragments).
std::string ingress(const std::string& host, const std::string& path, const std::string& pathType,
                    const std::string& backend = "service: {name: web, port: {number: 80}}", const std::string& name = "web",
                    const std::string& extraMeta = {}) {
    std::string y = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name + "\n  namespace: default\n" + extraMeta +
                    "spec:\n  rules:\n  - ";
    y += host.empty() ? std::string() : "host: '" + host + "'\n    ";
    y += "http:\n      paths:\n      - backend: {" + backend + "}\n";
    if (path != "<none>") y += "        path: '" + path + "'\n";
    if (pathType != "<none>") y += "        pathType: " + pathType + "\n";
    return y;
}

const char* SERVICE_WEB = "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\n"
                          "spec:\n  selector: {app: web}\n  ports:\n  - {name: http, port: 80, targetPort: 8080}\n"
                          "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\n"
                          "spec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n"
                          "    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - {name: web, image: 'nginx:1.25'}\n";

std::string indent(const std::string& text, int n) {
    std::string pad(n, ' '), out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto nl = text.find('\n', start);
        out += pad + text.substr(start, nl == std::string::npos ? std::string::npos : nl - start) + "\n";
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    return out;
}

std::string tlsSecret(const std::string& name, const tls::KeyPairPem& pair, const std::string& type = "kubernetes.io/tls") {
    return "---\napiVersion: v1\nkind: Secret\nmetadata: {name: " + name + ", namespace: default}\ntype: " + type +
           "\nstringData:\n  tls.crt: |\n" + indent(pair.certPem, 4) + "  tls.key: |\n" + indent(pair.keyPem, 4);
}

tls::KeyPairPem makeCert(const std::vector<std::string>& names, std::optional<std::int64_t> notBefore = std::nullopt, int days = 30) {
    tls::SelfSignedRequest req;
    req.commonName = names.front();
    req.dnsNames = names;
    req.keyType = tls::SelfSignedRequest::KeyType::EcP256;
    req.validityDays = days;
    req.notBefore = notBefore;
    auto r = tls::generateSelfSigned(req);
    if (!r.ok()) qFatal("certificate generation failed: %s", r.message().c_str());
    return r.value();
}

}  // namespace

class ValidationTest : public QObject {
    Q_OBJECT

private slots:
    // ---- exact API server wording ---------------------------------------------------------------------------
    void apiServerWording() {
        auto ds = run(ingress("Foo.bar.com", "/", "Prefix") + SERVICE_WEB);
        const Diagnostic* d = findDiag(ds, "spec.rules[0].host", "apiserver");
        QVERIFY2(d, qPrintable(dump(ds)));
        QCOMPARE(QString::fromStdString(d->message()),
                 QString("spec.rules[0].host: Invalid value: \"Foo.bar.com\": a lowercase RFC 1123 subdomain must consist of lower "
                         "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                         "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        QCOMPARE(d->object, std::string("Ingress default/web"));
        QCOMPARE(d->severity, Severity::Error);
        QCOMPARE(d->code, DiagCode::Invalid);
        QCOMPARE(*d->badValue, std::string("Foo.bar.com"));

        ds = run(ingress("foo.bar.com", "/", "Prefix", "service: {name: web, port: {number: 70000}}"));
        d = findDiag(ds, "spec.rules[0].http.paths[0].backend.service.port.number");
        QVERIFY2(d, qPrintable(dump(ds)));
        QCOMPARE(QString::fromStdString(d->message()),
                 QString("spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive"));

        ds = run("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: empty}\nspec: {}\n");
        d = findDiag(ds, "spec");
        QVERIFY(d);
        QCOMPARE(QString::fromStdString(d->message()),
                 QString("spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"));

        ds = run(ingress("foo.bar.com", "/", "<none>"));
        d = findDiag(ds, "spec.rules[0].http.paths[0].pathType");
        QVERIFY(d);
        QCOMPARE(QString::fromStdString(d->message()), QString("spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"));

        ds = run(ingress("foo.bar.com", "/", "Regex"));
        d = findDiag(ds, "spec.rules[0].http.paths[0].pathType");
        QVERIFY(d);
        QCOMPARE(QString::fromStdString(d->message()),
                 QString("spec.rules[0].http.paths[0].pathType: Unsupported value: \"Regex\": supported values: \"Exact\", "
                         "\"ImplementationSpecific\", \"Prefix\""));
        QCOMPARE(apiTypeName(d->code), "FieldValueNotSupported");
    }

    // ---- spec.rules[].host (validateIngressRules) ---------------------------------------------------------
    void ingressHost_data() {
        QTest::addColumn<QString>("host");
        QTest::addColumn<QString>("detail");  // empty = valid
        QTest::newRow("valid") << "foo.bar.com" << "";
        QTest::newRow("single label") << "localhost" << "";
        QTest::newRow("wildcard") << "*.bar.com" << "";
        QTest::newRow("wildcard deep") << "*.foo.bar.com" << "";
        QTest::newRow("wildcard middle") << "foo.*.bar.com" << "a wildcard DNS-1123 subdomain must start with '*.'";
        QTest::newRow("double wildcard") << "*.*.bar.com" << "a wildcard DNS-1123 subdomain";
        QTest::newRow("partial wildcard") << "f*.bar.com" << "a wildcard DNS-1123 subdomain";
        QTest::newRow("wildcard no dot") << "*bar.com" << "a wildcard DNS-1123 subdomain";
        QTest::newRow("bare wildcard") << "*" << "a wildcard DNS-1123 subdomain";
        QTest::newRow("port") << "foobar:80" << "a lowercase RFC 1123 subdomain";
        QTest::newRow("ipv4") << "127.0.0.1" << "must be a DNS name, not an IP address";
        QTest::newRow("ipv4 leading zeros") << "010.000.000.001" << "must be a DNS name, not an IP address";
        QTest::newRow("uppercase") << "Foo.bar.com" << "a lowercase RFC 1123 subdomain";
        QTest::newRow("empty label") << "foo..bar" << "a lowercase RFC 1123 subdomain";
        QTest::newRow("trailing dash") << "foo-.bar" << "a lowercase RFC 1123 subdomain";
        QTest::newRow("underscore") << "foo_bar.com" << "a lowercase RFC 1123 subdomain";
        QTest::newRow("too long") << QString(254, 'a') << "must be no more than 253 characters";
    }
    void ingressHost() {
        QFETCH(QString, host);
        QFETCH(QString, detail);
        auto ds = withRule(run(ingress(host.toStdString(), "/", "Prefix")), "apiserver");
        if (detail.isEmpty()) {
            QVERIFY2(ds.empty(), qPrintable(dump(ds)));
            return;
        }
        const Diagnostic* d = findDiag(ds, "spec.rules[0].host");
        QVERIFY2(d, qPrintable(dump(ds)));
        QVERIFY2(d->detail.find(detail.toStdString()) != std::string::npos, qPrintable(dump(ds)));
        QCOMPARE(*d->badValue, host.toStdString());
    }

    // ---- paths per pathType (validateHTTPIngressPath) -----------------------------------------------------
    void ingressPath_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("pathType");
        QTest::addColumn<QStringList>("details");  // every expected detail for ...paths[0].path
        const QStringList ok;
        for (const char* type : {"Exact", "Prefix"}) {
            const QString t(type);
            QTest::newRow(qPrintable(t + " root")) << "/" << t << ok;
            QTest::newRow(qPrintable(t + " plain")) << "/foo/bar" << t << ok;
            QTest::newRow(qPrintable(t + " trailing slash")) << "/foo/" << t << ok;
            QTest::newRow(qPrintable(t + " dots in name")) << "/foo..bar/.x" << t << ok;
            QTest::newRow(qPrintable(t + " empty")) << "" << t << QStringList{"must be an absolute path"};
            QTest::newRow(qPrintable(t + " relative")) << "foo" << t << QStringList{"must be an absolute path"};
            QTest::newRow(qPrintable(t + " double slash")) << "/foo//bar" << t << QStringList{"must not contain '//'"};
            QTest::newRow(qPrintable(t + " dot segment")) << "/foo/./bar" << t << QStringList{"must not contain '/./'"};
            QTest::newRow(qPrintable(t + " dotdot segment")) << "/foo/../bar" << t << QStringList{"must not contain '/../'"};
            QTest::newRow(qPrintable(t + " encoded slash")) << "/foo%2Fbar" << t << QStringList{"must not contain '%2F'"};
            QTest::newRow(qPrintable(t + " encoded slash lower")) << "/foo%2fbar" << t << QStringList{"must not contain '%2f'"};
            QTest::newRow(qPrintable(t + " ends dotdot")) << "/foo/.." << t << QStringList{"cannot end with '/..'"};
            QTest::newRow(qPrintable(t + " ends dot")) << "/foo/." << t << QStringList{"cannot end with '/.'"};
            QTest::newRow(qPrintable(t + " two problems")) << "/a//b/.." << t << QStringList{"must not contain '//'", "cannot end with '/..'"};
        }
        QTest::newRow("ImplementationSpecific empty") << "" << "ImplementationSpecific" << ok;
        QTest::newRow("ImplementationSpecific regex") << "/([a-z0-9]*)[" << "ImplementationSpecific" << ok;
        QTest::newRow("ImplementationSpecific double slash") << "/foo//bar" << "ImplementationSpecific" << ok;
        QTest::newRow("ImplementationSpecific ends dotdot") << "/foo/.." << "ImplementationSpecific" << ok;
        QTest::newRow("ImplementationSpecific relative") << "foo" << "ImplementationSpecific" << QStringList{"must be an absolute path"};
    }
    void ingressPath() {
        QFETCH(QString, path);
        QFETCH(QString, pathType);
        QFETCH(QStringList, details);
        auto ds = withRule(run(ingress("foo.bar.com", path.toStdString(), pathType.toStdString())), "apiserver");
        QCOMPARE(int(ds.size()), int(details.size()));
        for (int i = 0; i < details.size(); ++i) {
            QCOMPARE(ds[i].field, std::string("spec.rules[0].http.paths[0].path"));
            QCOMPARE(ds[i].code, DiagCode::Invalid);
            QVERIFY2(ds[i].detail == details[i].toStdString(), qPrintable(dump(ds)));
        }
    }

    // ---- backends (validateIngressBackend) -------------------------------------------------------------------
    void ingressBackend_data() {
        QTest::addColumn<QString>("backend");
        QTest::addColumn<bool>("relaxed");
        QTest::addColumn<QString>("field");   // relative to spec.rules[0].http.paths[0].backend ("" = backend itself)
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("detail");  // field empty and type empty = valid
        QTest::newRow("service number") << "service: {name: web, port: {number: 80}}" << false << "" << "" << "";
        QTest::newRow("service name") << "service: {name: web, port: {name: http}}" << false << "" << "" << "";
        QTest::newRow("resource") << "resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: icons}" << false << "" << "" << "";
        QTest::newRow("both") << "service: {name: web, port: {number: 80}}, resource: {kind: B, name: c}" << false << "" << "FieldValueInvalid"
                              << "cannot set both resource and service backends";
        QTest::newRow("neither") << "" << false << "" << "FieldValueInvalid" << "resource or service backend is required";
        QTest::newRow("no service name") << "service: {port: {number: 80}}" << false << ".service.name" << "FieldValueRequired" << "";
        QTest::newRow("uppercase service") << "service: {name: Web, port: {number: 80}}" << false << ".service.name" << "FieldValueInvalid"
                                           << "a DNS-1035 label must consist of lower case alphanumeric characters";
        QTest::newRow("digit first DNS-1035") << "service: {name: 1web, port: {number: 80}}" << false << ".service.name"
                                              << "FieldValueInvalid" << "start with an alphabetic character";
        QTest::newRow("digit first relaxed") << "service: {name: 1web, port: {number: 80}}" << true << "" << "" << "";
        QTest::newRow("dotted service") << "service: {name: web.v1, port: {number: 80}}" << false << ".service.name" << "FieldValueInvalid"
                                        << "a DNS-1035 label";
        QTest::newRow("name and number") << "service: {name: web, port: {number: 80, name: http}}" << false << "" << "FieldValueInvalid"
                                         << "cannot set both port name & port number";
        QTest::newRow("no port") << "service: {name: web, port: {}}" << false << "" << "FieldValueRequired" << "port name or number is required";
        QTest::newRow("port zero") << "service: {name: web, port: {number: 0}}" << false << "" << "FieldValueRequired"
                                   << "port name or number is required";
        QTest::newRow("port 65536") << "service: {name: web, port: {number: 65536}}" << false << ".service.port.number" << "FieldValueInvalid"
                                    << "must be between 1 and 65535, inclusive";
        QTest::newRow("port negative") << "service: {name: web, port: {number: -1}}" << false << ".service.port.number" << "FieldValueInvalid"
                                       << "must be between 1 and 65535, inclusive";
        QTest::newRow("port 65535") << "service: {name: web, port: {number: 65535}}" << false << "" << "" << "";
        QTest::newRow("port name upper") << "service: {name: web, port: {name: Http}}" << false << ".service.port.name" << "FieldValueInvalid"
                                         << "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
        QTest::newRow("port name digits") << "service: {name: web, port: {name: '1234'}}" << false << ".service.port.name"
                                          << "FieldValueInvalid" << "must contain at least one letter (a-z)";
        QTest::newRow("port name double dash") << "service: {name: web, port: {name: a--b}}" << false << ".service.port.name"
                                               << "FieldValueInvalid" << "must not contain consecutive hyphens";
        QTest::newRow("port name leading dash") << "service: {name: web, port: {name: -ab}}" << false << ".service.port.name"
                                                << "FieldValueInvalid" << "must not begin or end with a hyphen";
        QTest::newRow("port name 16 chars") << "service: {name: web, port: {name: abcdefghijklmnop}}" << false << ".service.port.name"
                                            << "FieldValueInvalid" << "must be no more than 15 characters";
        QTest::newRow("resource no kind") << "resource: {name: icons}" << false << ".resource.kind" << "FieldValueRequired" << "";
        QTest::newRow("resource slash") << "resource: {kind: Bucket, name: a/b}" << false << ".resource.name" << "FieldValueInvalid"
                                        << "may not contain '/'";
        QTest::newRow("resource bad group") << "resource: {apiGroup: Bad_Group, kind: B, name: c}" << false << ".resource.apiGroup"
                                            << "FieldValueInvalid" << "a lowercase RFC 1123 subdomain";
    }
    void ingressBackend() {
        QFETCH(QString, backend);
        QFETCH(bool, relaxed);
        QFETCH(QString, field);
        QFETCH(QString, type);
        QFETCH(QString, detail);
        validation::ValidationOptions o;
        o.relaxedServiceNameValidation = relaxed;
        auto ds = withRule(run(ingress("foo.bar.com", "/", "Prefix", backend.toStdString()), o), "apiserver");
        if (type.isEmpty()) {
            QVERIFY2(ds.empty(), qPrintable(dump(ds)));
            return;
        }
        QCOMPARE(int(ds.size()), 1);
        QCOMPARE(ds[0].field, "spec.rules[0].http.paths[0].backend" + field.toStdString());
        QCOMPARE(QString(apiTypeName(ds[0].code)), type);
        QVERIFY2(ds[0].detail.find(detail.toStdString()) != std::string::npos, qPrintable(dump(ds)));
    }

    // ---- the rest of the Ingress spec and metadata ---------------------------------------------------------
    void ingressSpec_data() {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("field");  // empty = valid
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("detail");
        const QString head = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n";
        const QString rule = "  rules:\n  - host: foo.bar.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n";
        QTest::newRow("only default backend") << head + "spec:\n  defaultBackend: {service: {name: web, port: {number: 80}}}\n" << "" << "" << "";
        QTest::newRow("empty rules list") << head + "spec:\n  rules: []\n" << "spec" << "FieldValueInvalid"
                                          << "either `defaultBackend` or `rules` must be specified";
        QTest::newRow("rule with only host") << head + "spec:\n  rules:\n  - host: foo.bar.com\n" << "" << "" << "";
        QTest::newRow("http without paths") << head + "spec:\n  rules:\n  - host: foo.bar.com\n    http: {}\n"
                                            << "spec.rules[0].http.paths" << "FieldValueRequired" << "";
        QTest::newRow("default backend invalid") << head + "spec:\n  defaultBackend: {service: {name: web}}\n" << "spec.defaultBackend"
                                                 << "FieldValueRequired" << "port name or number is required";
        QTest::newRow("tls empty entry") << head + "spec:\n" + rule + "  tls:\n  - {}\n" << "" << "" << "";
        QTest::newRow("tls wildcard host") << head + "spec:\n" + rule + "  tls:\n  - hosts: ['*.bar.com']\n    secretName: bar-tls\n" << ""
                                           << "" << "";
        QTest::newRow("tls bad wildcard") << head + "spec:\n" + rule + "  tls:\n  - hosts: ['foo.*.bar']\n" << "spec.tls[0].hosts[0]"
                                          << "FieldValueInvalid" << "a wildcard DNS-1123 subdomain";
        QTest::newRow("tls uppercase host") << head + "spec:\n" + rule + "  tls:\n  - hosts: [Foo.bar.com]\n" << "spec.tls[0].hosts[0]"
                                            << "FieldValueInvalid" << "a lowercase RFC 1123 subdomain";
        QTest::newRow("tls secret name") << head + "spec:\n" + rule + "  tls:\n  - secretName: Invalid_Name\n" << "spec.tls[0].secretName"
                                         << "FieldValueInvalid" << "a lowercase RFC 1123 subdomain";
        QTest::newRow("class name") << head + "spec:\n  ingressClassName: Bad_Class\n" + rule << "spec.ingressClassName" << "FieldValueInvalid"
                                    << "a lowercase RFC 1123 subdomain";
        QTest::newRow("class annotation equal")
            << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations: {kubernetes.io/ingress.class: nginx}\n"
               "spec:\n  ingressClassName: nginx\n" + rule
            << "" << "" << "";
        QTest::newRow("class annotation only")
            << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations: {kubernetes.io/ingress.class: nginx}\n"
               "spec:\n" + rule
            << "" << "" << "";
        QTest::newRow("class annotation differs")
            << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations: {kubernetes.io/ingress.class: foo}\n"
               "spec:\n  ingressClassName: bar\n" + rule
            << "annotations.kubernetes.io/ingress.class" << "FieldValueInvalid" << "must match `ingressClassName` when both are specified";
        QTest::newRow("name uppercase") << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: Web\nspec:\n" + rule
                                       << "metadata.name" << "FieldValueInvalid" << "a lowercase RFC 1123 subdomain";
        QTest::newRow("name dotted ok") << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web.v1\nspec:\n" + rule << ""
                                        << "" << "";
        QTest::newRow("name missing") << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {}\nspec:\n" + rule << "metadata.name"
                                      << "FieldValueRequired" << "name or generateName is required";
        QTest::newRow("generateName") << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {generateName: web-}\nspec:\n" + rule
                                      << "" << "" << "";
        QTest::newRow("namespace") << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: Bad.NS}\nspec:\n" + rule
                                   << "metadata.namespace" << "FieldValueInvalid" << "a lowercase RFC 1123 label";
        QTest::newRow("label value") << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, labels: {app: -bad}}\nspec:\n" + rule
                                     << "metadata.labels" << "FieldValueInvalid" << "a valid label must be an empty string";
        QTest::newRow("annotation key") << "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, annotations: {'a/b/c': x}}\nspec:\n" + rule
                                        << "metadata.annotations" << "FieldValueInvalid" << "with an optional DNS subdomain prefix";
    }
    void ingressSpec() {
        QFETCH(QString, yaml);
        QFETCH(QString, field);
        QFETCH(QString, type);
        QFETCH(QString, detail);
        auto ds = withRule(run(yaml.toStdString()), "apiserver");
        if (field.isEmpty()) {
            QVERIFY2(ds.empty(), qPrintable(dump(ds)));
            return;
        }
        QVERIFY2(ds.size() == 1, qPrintable(dump(ds)));
        QCOMPARE(QString::fromStdString(ds[0].field), field);
        QCOMPARE(QString(apiTypeName(ds[0].code)), type);
        QVERIFY2(ds[0].detail.find(detail.toStdString()) != std::string::npos, qPrintable(dump(ds)));
        QVERIFY(ds[0].pos && ds[0].pos->isValid());
    }

    // ---- other kinds ------------------------------------------------------------------------------------
    void otherKinds_data() {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QStringList>("expected");  // "field|type|detail" (detail may be empty)
        const QString svc = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n";
        QTest::newRow("service ok") << svc + "  selector: {app: web}\n  ports:\n  - {name: http, port: 80, targetPort: http}\n  - {name: https, port: 443}\n"
                                    << QStringList{};
        QTest::newRow("service no ports") << svc + "  selector: {app: web}\n" << QStringList{"spec.ports|FieldValueRequired|"};
        QTest::newRow("headless no ports") << svc + "  clusterIP: None\n  selector: {app: web}\n" << QStringList{};
        QTest::newRow("service port 0") << svc + "  ports:\n  - {port: 0}\n"
                                        << QStringList{"spec.ports[0].port|FieldValueInvalid|must be between 1 and 65535, inclusive"};
        QTest::newRow("service two ports unnamed") << svc + "  ports:\n  - {name: http, port: 80}\n  - {port: 443}\n"
                                                   << QStringList{"spec.ports[1].name|FieldValueRequired|"};
        QTest::newRow("service duplicate names") << svc + "  ports:\n  - {name: http, port: 80}\n  - {name: http, port: 81}\n"
                                                 << QStringList{"spec.ports[1].name|FieldValueDuplicate|"};
        QTest::newRow("service duplicate port") << svc + "  ports:\n  - {name: a, port: 80}\n  - {name: b, port: 80}\n"
                                                << QStringList{"spec.ports[1]|FieldValueDuplicate|"};
        QTest::newRow("service port name label") << svc + "  ports:\n  - {name: Http, port: 80}\n"
                                                 << QStringList{"spec.ports[0].name|FieldValueInvalid|a lowercase RFC 1123 label"};
        QTest::newRow("service targetPort") << svc + "  ports:\n  - {port: 80, targetPort: 70000}\n"
                                            << QStringList{"spec.ports[0].targetPort|FieldValueInvalid|must be between 1 and 65535"};
        QTest::newRow("service targetPort name") << svc + "  ports:\n  - {port: 80, targetPort: Web_Port}\n"
                                                 << QStringList{"spec.ports[0].targetPort|FieldValueInvalid|must contain only alpha-numeric"};
        QTest::newRow("service protocol") << svc + "  ports:\n  - {port: 80, protocol: HTTP}\n"
                                          << QStringList{"spec.ports[0].protocol|FieldValueNotSupported|supported values: \"SCTP\", \"TCP\", \"UDP\""};
        QTest::newRow("service type") << svc + "  type: Internal\n  ports:\n  - {port: 80}\n" << QStringList{"spec.type|FieldValueNotSupported|"};
        QTest::newRow("service name DNS-1035") << "apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\nspec:\n  ports:\n  - {port: 80}\n"
                                               << QStringList{"metadata.name|FieldValueInvalid|a DNS-1035 label"};
        QTest::newRow("external name missing") << svc + "  type: ExternalName\n" << QStringList{"spec.externalName|FieldValueRequired|"};
        QTest::newRow("external name ok") << svc + "  type: ExternalName\n  externalName: api.example.com.\n" << QStringList{};

        const QString dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n";
        const QString tpl = "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - {name: web, image: 'nginx:1.25', ports: [{containerPort: 80}]}\n";
        QTest::newRow("deployment ok") << dep + "  replicas: 0\n  selector: {matchLabels: {app: web}}\n" + tpl << QStringList{};
        QTest::newRow("deployment replicas") << dep + "  replicas: -1\n  selector: {matchLabels: {app: web}}\n" + tpl
                                             << QStringList{"spec.replicas|FieldValueInvalid|must be greater than or equal to 0"};
        QTest::newRow("deployment no selector") << dep + tpl << QStringList{"spec.selector|FieldValueRequired|"};
        QTest::newRow("deployment empty selector") << dep + "  selector: {}\n" + tpl
                                                   << QStringList{"spec.selector|FieldValueInvalid|empty selector is invalid for deployment"};
        QTest::newRow("deployment selector mismatch") << dep + "  selector: {matchLabels: {app: api}}\n" + tpl
                                                      << QStringList{"spec.template.metadata.labels|FieldValueInvalid|`selector` does not match template `labels`"};
        QTest::newRow("deployment no containers") << dep + "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
                                                  << QStringList{"spec.template.spec.containers|FieldValueRequired|"};
        QTest::newRow("deployment no image")
            << dep + "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - {name: web}\n"
            << QStringList{"spec.template.spec.containers[0].image|FieldValueRequired|"};
        QTest::newRow("deployment container port")
            << dep + "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n"
                     "      - {name: web, image: x, ports: [{containerPort: 0}]}\n"
            << QStringList{"spec.template.spec.containers[0].ports[0].containerPort|FieldValueInvalid|must be between 1 and 65535"};

        const QString sec = "apiVersion: v1\nkind: Secret\nmetadata: {name: web-tls}\n";
        QTest::newRow("tls secret ok") << sec + "type: kubernetes.io/tls\nstringData: {tls.crt: x, tls.key: y}\n" << QStringList{};
        QTest::newRow("tls secret no key") << sec + "type: kubernetes.io/tls\nstringData: {tls.crt: x}\n"
                                           << QStringList{"data[tls.key]|FieldValueRequired|"};
        QTest::newRow("tls secret empty") << sec + "type: kubernetes.io/tls\n"
                                          << QStringList{"data[tls.crt]|FieldValueRequired|", "data[tls.key]|FieldValueRequired|"};
        QTest::newRow("secret key") << sec + "stringData: {'a b': x}\n" << QStringList{"data[a b]|FieldValueInvalid|a valid config key must consist"};

        const QString cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n";
        QTest::newRow("configmap ok") << cm + "data: {proxy-body-size: 8m, ssl-redirect: 'false'}\n" << QStringList{};
        QTest::newRow("configmap bad key") << cm + "data: {'bad key': x}\n" << QStringList{"data[bad key]|FieldValueInvalid|a valid config key"};
        QTest::newRow("configmap dotdot") << cm + "data: {'..': x}\n" << QStringList{"data[..]|FieldValueInvalid|must not be '..'"};

        const QString ic = "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: nginx}\n";
        QTest::newRow("ingressclass ok") << ic + "spec: {controller: k8s.io/ingress-nginx}\n" << QStringList{};
        QTest::newRow("ingressclass no controller") << ic + "spec: {}\n" << QStringList{"spec.controller|FieldValueRequired|"};
        QTest::newRow("ingressclass not prefixed") << ic + "spec: {controller: nginx}\n"
                                                   << QStringList{"spec.controller|FieldValueInvalid|must be a domain-prefixed path"};
        QTest::newRow("ingressclass params scope")
            << ic + "spec:\n  controller: k8s.io/ingress-nginx\n  parameters: {kind: Cfg, name: x, scope: Namespace}\n"
            << QStringList{"spec.parameters.namespace|FieldValueRequired|`parameters.scope` is set to 'Namespace'"};

        const QString ep = "apiVersion: v1\nkind: Endpoints\nmetadata: {name: local}\nsubsets:\n";
        QTest::newRow("endpoints ok") << ep + "- addresses: [{ip: 10.0.0.5}]\n  ports: [{port: 8000}]\n" << QStringList{};
        QTest::newRow("endpoints bad ip") << ep + "- addresses: [{ip: not-an-ip}]\n  ports: [{port: 8000}]\n"
                                          << QStringList{"subsets[0].addresses[0].ip|FieldValueInvalid|must be a valid IP address"};
        QTest::newRow("endpoints port") << ep + "- addresses: [{ip: 10.0.0.5}]\n  ports: [{port: 0}]\n"
                                        << QStringList{"subsets[0].ports[0].port|FieldValueInvalid|must be between 1 and 65535"};
    }
    void otherKinds() {
        QFETCH(QString, yaml);
        QFETCH(QStringList, expected);
        validation::ValidationOptions o;
        o.lint = false;
        auto ds = withRule(run(yaml.toStdString(), o), "apiserver");
        QVERIFY2(int(ds.size()) == expected.size(), qPrintable(dump(ds)));
        for (int i = 0; i < expected.size(); ++i) {
            const QStringList parts = expected[i].split('|');
            QCOMPARE(QString::fromStdString(ds[i].field), parts[0]);
            QCOMPARE(QString(apiTypeName(ds[i].code)), parts[1]);
            QVERIFY2(ds[i].detail.find(parts[2].toStdString()) != std::string::npos, qPrintable(dump(ds)));
            QCOMPARE(ds[i].severity, Severity::Error);
        }
    }

    void goValuesInMessages() {
        auto ds = run("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: api}}\n"
                      "  template:\n    metadata: {labels: {app: web, tier: front}}\n    spec:\n      containers:\n      - {name: web, image: x}\n");
        const Diagnostic* d = findDiag(ds, "spec.template.metadata.labels", "apiserver");
        QVERIFY(d);
        QCOMPARE(QString::fromStdString(d->message()),
                 QString("spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\", \"tier\":\"front\"}: "
                         "`selector` does not match template `labels`"));
    }

    void loopbackEndpointsAreOnlyAWarning() {
        auto ds = run("apiVersion: v1\nkind: Endpoints\nmetadata: {name: local}\nsubsets:\n- addresses: [{ip: 127.0.0.1}]\n  ports: [{port: 8000}]\n");
        QVERIFY2(errorsOf(ds).empty(), qPrintable(dump(ds)));
        const Diagnostic* d = findDiag(ds, "subsets[0].addresses[0].ip", "endpoints-special-ip");
        QVERIFY(d);
        QCOMPARE(d->severity, Severity::Warning);
        QVERIFY(d->detail.find("loopback") != std::string::npos);
    }

    // ---- admission webhook --------------------------------------------------------------------------------
    void admissionOverlap() {
        const std::string first = ingress("foo.bar", "/", "Prefix", "service: {name: web, port: {number: 80}}", "first");
        const std::string second = ingress("foo.bar", "/", "Prefix", "service: {name: other, port: {number: 80}}", "second");
        auto ds = errorsOf(run(first + "---\n" + second));
        QVERIFY2(ds.size() == 1, qPrintable(dump(ds)));
        QCOMPARE(ds[0].rule, std::string("admission-overlap"));
        QCOMPARE(ds[0].object, std::string("Ingress default/second"));
        QCOMPARE(ds[0].field, std::string("spec.rules[0].http.paths[0].path"));
        QCOMPARE(ds[0].detail, std::string("host \"foo.bar\" and path \"/\" is already defined in ingress default/first"));

        // Hostless rules use the server name _.
        ds = errorsOf(run(ingress("", "/api", "Prefix", "service: {name: a, port: {number: 80}}", "first") + "---\n" +
                          ingress("", "/api", "Prefix", "service: {name: b, port: {number: 80}}", "second")));
        QVERIFY2(ds.size() == 1 && ds[0].detail == "host \"_\" and path \"/api\" is already defined in ingress default/first", qPrintable(dump(ds)));

        // creationTimestamp decides which one exists already, not the order in the file.
        ds = errorsOf(run(ingress("foo.bar", "/", "Prefix", "service: {name: a, port: {number: 80}}", "newer",
                                  "  creationTimestamp: '2026-01-02T00:00:00Z'\n") +
                          "---\n" +
                          ingress("foo.bar", "/", "Prefix", "service: {name: b, port: {number: 80}}", "older",
                                  "  creationTimestamp: '2026-01-01T00:00:00Z'\n")));
        QVERIFY2(ds.size() == 1 && ds[0].object == "Ingress default/newer", qPrintable(dump(ds)));

        // Turning the webhook off leaves a lint warning that names the winner.
        validation::ValidationOptions off;
        off.admissionWebhook = false;
        auto all = run(first + "---\n" + second, off);
        QVERIFY(errorsOf(all).empty());
        const Diagnostic* w = findDiag(all, "spec.rules[0].http.paths[0].path", "duplicate-host-path");
        QVERIFY2(w, qPrintable(dump(all)));
        QCOMPARE(w->object, std::string("Ingress default/second"));
        QVERIFY(w->detail.find("default/first") != std::string::npos);
        QVERIFY(w->detail.find("oldest") != std::string::npos);
    }

    // A refused Ingress is never created, so a later duplicate is refused because of the first one.
    void refusedIngressDoesNotExist() {
        std::string y;
        for (const char* name : {"a", "b", "c"})
            y += ingress("foo.bar", "/x", "Prefix", "service: {name: web, port: {number: 80}}", name) + "---\n";
        auto ds = withRule(run(y), "admission-overlap");
        QVERIFY2(ds.size() == 2, qPrintable(dump(ds)));
        QCOMPARE(ds[0].object, std::string("Ingress default/b"));
        QCOMPARE(ds[1].object, std::string("Ingress default/c"));
        QVERIFY(ds[1].detail.ends_with("default/a"));
    }

    // Large workspaces stay linear-ish (indexes, no pairwise scans): 1000 Ingresses, 3000 paths.
    void manyIngresses() {
        std::string y = SERVICE_WEB;
        for (int i = 0; i < 1000; ++i)
            y += "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: ing-" + std::to_string(i) +
                 "}\nspec:\n  rules:\n  - host: h" + std::to_string(i % 50) + ".example.com\n    http:\n      paths:\n" +
                 "      - {path: /a" + std::to_string(i) + ", pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n" +
                 "      - {path: /b" + std::to_string(i) + ", pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}\n" +
                 "      - {path: /shared, pathType: " + (i == 0 ? "Prefix" : "ImplementationSpecific") +
                 ", backend: {service: {name: web, port: {number: 80}}}}\n";
        auto ds = run(y);
        QVERIFY2(errorsOf(ds).empty(), qPrintable(dump(errorsOf(ds))));
        // Each host h0..h49 gets /shared from 20 Ingresses: on h1..h49 all ImplementationSpecific (19 shadowed each);
        // on h0 ing-0 uses Prefix (a different location), so 19 ImplementationSpecific with 18 shadowed. The first
        // path of each is its own, so the webhook lets them through; the lint names the winner.
        QCOMPARE(int(withRule(ds, "duplicate-host-path").size()), 49 * 19 + 18);
    }

    void admissionOverlapAllowed_data() {
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("second");
        QTest::addColumn<bool>("rejected");
        const QString canaryTrue = "  annotations: {nginx.ingress.kubernetes.io/canary: 'true'}\n";
        const QString canaryFalse = "  annotations: {nginx.ingress.kubernetes.io/canary: 'false'}\n";
        auto ing = [](const char* name, const char* path, const char* type, const QString& meta) {
            return QString::fromStdString(ingress("foo.bar", path, type, "service: {name: web, port: {number: 80}}", name, meta.toStdString()));
        };
        QTest::newRow("same path") << ing("a", "/x", "Prefix", "") << ing("b", "/x", "Prefix", "") << true;
        QTest::newRow("other path") << ing("a", "/x", "Prefix", "") << ing("b", "/y", "Prefix", "") << false;
        QTest::newRow("other pathType") << ing("a", "/x", "Prefix", "") << ing("b", "/x", "Exact", "") << false;
        QTest::newRow("new is canary") << ing("a", "/x", "Prefix", "") << ing("b", "/x", "Prefix", canaryTrue) << false;
        QTest::newRow("both canary") << ing("a", "/x", "Prefix", canaryTrue) << ing("b", "/x", "Prefix", canaryTrue) << false;
        QTest::newRow("canary false annotation") << ing("a", "/x", "Prefix", "") << ing("b", "/x", "Prefix", canaryFalse) << false;
        QTest::newRow("other class")
            << ing("a", "/x", "Prefix", "") << ing("b", "/x", "Prefix", "  annotations: {kubernetes.io/ingress.class: traefik}\n") << false;
    }
    void admissionOverlapAllowed() {
        QFETCH(QString, first);
        QFETCH(QString, second);
        QFETCH(bool, rejected);
        auto ds = withRule(run((first + "---\n" + second).toStdString()), "admission-overlap");
        QVERIFY2(ds.empty() != rejected, qPrintable(dump(ds)));
    }

    // checkOverlap decides on the first path that has any location: a new Ingress whose first path is its own
    // passes even when a later path duplicates an older Ingress (the webhook lets it through; the lint warns).
    void admissionOverlapOnlyFirstPathDecides() {
        const std::string older = ingress("foo.bar", "/dup", "Prefix", "service: {name: a, port: {number: 80}}", "older");
        const std::string newer =
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: newer}\nspec:\n  rules:\n  - host: foo.bar\n    http:\n"
            "      paths:\n      - {path: /own, pathType: Prefix, backend: {service: {name: b, port: {number: 80}}}}\n"
            "      - {path: /dup, pathType: Prefix, backend: {service: {name: b, port: {number: 80}}}}\n";
        auto all = run(older + "---\n" + newer);
        QVERIFY2(withRule(all, "admission-overlap").empty(), qPrintable(dump(all)));
        const Diagnostic* w = findDiag(all, "spec.rules[0].http.paths[1].path", "duplicate-host-path");
        QVERIFY2(w && w->object == "Ingress default/newer", qPrintable(dump(all)));
    }

    void admissionStrictPathType_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("pathType");
        QTest::addColumn<QString>("configMap");
        QTest::addColumn<bool>("rejected");
        QTest::newRow("plain prefix") << "/api/v1" << "Prefix" << "" << false;
        QTest::newRow("dots underscores") << "/.well-known/acme_challenge-1" << "Exact" << "" << false;
        QTest::newRow("regex exact") << "/foo/bar/[a-z]{3}" << "Exact" << "" << true;
        QTest::newRow("regex prefix") << "/api(/|$)(.*)" << "Prefix" << "" << true;
        QTest::newRow("tilde prefix") << "/~user" << "Prefix" << "" << true;
        QTest::newRow("regex implementation specific") << "/api(/|$)(.*)" << "ImplementationSpecific" << "" << false;
        QTest::newRow("strict off") << "/api(/|$)(.*)" << "Prefix" << "strict-validate-path-type: 'false'" << false;
    }
    void admissionStrictPathType() {
        QFETCH(QString, path);
        QFETCH(QString, pathType);
        QFETCH(QString, configMap);
        QFETCH(bool, rejected);
        std::string y = ingress("foo.bar", path.toStdString(), pathType.toStdString());
        if (!configMap.isEmpty())
            y = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ingress-nginx-controller, namespace: ingress-nginx}\ndata:\n  " +
                configMap.toStdString() + "\n---\n" + y;
        auto ds = withRule(run(y), "admission-strict-path-type");
        QCOMPARE(!ds.empty(), rejected);
        if (rejected) {
            QCOMPARE(ds[0].detail, "ingress contains invalid paths: path " + path.toStdString() + " cannot be used with pathType " +
                                       pathType.toStdString());
            QCOMPARE(ds[0].severity, Severity::Error);
        }
    }

    void admissionDeepInspection_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("rejected");
        QTest::newRow("etc nginx") << "/etc/nginx" << true;
        QTest::newRow("etc passwd") << "/x/etc/passwd" << true;
        QTest::newRow("secrets") << "/var/run/secrets/token" << true;
        QTest::newRow("by lua") << "/content_by_lua" << true;
        QTest::newRow("alias directive") << "/x;alias /;" << true;
        QTest::newRow("root directive") << "/root;" << true;
        QTest::newRow("root without semicolon") << "/root/home" << false;
        QTest::newRow("etc other") << "/etc/hosts" << false;
    }
    void admissionDeepInspection() {
        QFETCH(QString, path);
        QFETCH(bool, rejected);
        // ImplementationSpecific, so only the deep inspection can object; another class, because the deep
        // inspection runs before the class check.
        auto ds = withRule(run(ingress("foo.bar", path.toStdString(), "ImplementationSpecific", "service: {name: web, port: {number: 80}}",
                                       "web", "  annotations: {kubernetes.io/ingress.class: traefik}\n")),
                           "admission-deep-inspection");
        QCOMPARE(!ds.empty(), rejected);
        if (rejected)
            QCOMPARE(ds[0].detail, "invalid object: invalid rule in ingress default/web: invalid http path: invalid value found: " + path.toStdString());
    }

    void admissionSnippets() {
        const std::string snippet = ingress("foo.bar", "/", "Prefix", "service: {name: web, port: {number: 80}}", "web",
                                            "  annotations:\n    nginx.ingress.kubernetes.io/configuration-snippet: 'more_set_headers x: y;'\n");
        auto ds = withRule(run(snippet), "admission-");
        QVERIFY2(ds.size() == 1, qPrintable(dump(ds)));
        QCOMPARE(ds[0].rule, std::string("admission-snippet"));
        QCOMPARE(ds[0].field, std::string("metadata.annotations[nginx.ingress.kubernetes.io/configuration-snippet]"));
        QCOMPARE(ds[0].detail, std::string("nginx.ingress.kubernetes.io/configuration-snippet annotation cannot be used. Snippet "
                                           "directives are disabled by the Ingress administrator"));
        QVERIFY(ds[0].pos && ds[0].pos->line == 7);

        validation::ValidationOptions allow;
        allow.allowSnippetAnnotations = true;
        ds = withRule(run(snippet, allow), "admission-");
        QVERIFY2(ds.empty(), qPrintable(dump(ds)));

        // The trap users hit: allowed in the ConfigMap, but the default risk level (High) refuses Critical snippets.
        const std::string cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ingress-nginx-controller, namespace: ingress-nginx}\n"
                               "data: {allow-snippet-annotations: 'true'}\n---\n";
        ds = withRule(run(cm + snippet), "admission-");
        QVERIFY2(ds.size() == 1 && ds[0].rule == "admission-risky-annotation", qPrintable(dump(ds)));
        QCOMPARE(ds[0].detail, std::string("annotation group ConfigurationSnippet contains risky annotation based on ingress configuration"));
        const std::string cmCritical = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ingress-nginx-controller, namespace: ingress-nginx}\n"
                                       "data: {allow-snippet-annotations: 'true', annotations-risk-level: Critical}\n---\n";
        ds = withRule(run(cmCritical + snippet), "admission-");
        QVERIFY2(ds.empty(), qPrintable(dump(ds)));
    }

    // ---- lint -------------------------------------------------------------------------------------------
    void cleanWorkspaceHasNoDiagnostics() {
        const auto pair = makeCert({"agent.example.com"});
        const std::string y =
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: default}\nspec:\n  ingressClassName: nginx\n"
            "  tls:\n  - {hosts: [agent.example.com], secretName: agent-tls}\n  rules:\n  - host: agent.example.com\n    http:\n      paths:\n"
            "      - {path: /api, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}\n"
            "      - {path: /v2, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}\n"
            "      - {path: /v3, pathType: Exact, backend: {service: {name: web, port: {number: 8080}}}}\n" +
            std::string(SERVICE_WEB) + tlsSecret("agent-tls", pair);
        auto ds = run(y);
        QVERIFY2(ds.empty(), qPrintable(dump(ds)));
    }

    void lintBackends() {
        const std::string y = ingress("foo.bar", "/", "Prefix", "service: {name: missing, port: {number: 80}}", "a") + "---\n" +
                              ingress("foo.bar", "/b", "Prefix", "service: {name: web, port: {number: 81}}", "b") + "---\n" +
                              ingress("foo.bar", "/c", "Prefix", "service: {name: web, port: {name: grpc}}", "c") + SERVICE_WEB;
        auto ds = run(y);
        QVERIFY2(errorsOf(ds).empty(), qPrintable(dump(ds)));
        const Diagnostic* d = findDiag(ds, "spec.rules[0].http.paths[0].backend.service.name", "backend-service-missing");
        QVERIFY2(d && d->object == "Ingress default/a" && d->severity == Severity::Warning, qPrintable(dump(ds)));
        QCOMPARE(d->code, DiagCode::NotFound);
        d = findDiag(ds, "spec.rules[0].http.paths[0].backend.service.port.number", "backend-port-missing");
        QVERIFY2(d && d->object == "Ingress default/b", qPrintable(dump(ds)));
        QVERIFY(d->detail.find("http/80") != std::string::npos);
        d = findDiag(ds, "spec.rules[0].http.paths[0].backend.service.port.name", "backend-port-missing");
        QVERIFY2(d && d->object == "Ingress default/c", qPrintable(dump(ds)));
        QCOMPARE(int(ds.size()), 3);
    }

    void lintBackendProtocolTheLabCannotSimulate() {
        auto withProtocol = [](const std::string& name, const std::string& value) {
            return ingress("foo.bar", "/" + name, "Prefix", "service: {name: web, port: {number: 80}}", name,
                           "  annotations:\n    nginx.ingress.kubernetes.io/backend-protocol: " + value + "\n") + "---\n";
        };
        auto ds = run(withProtocol("g", "GRPC") + withProtocol("h", "HTTPS") + withProtocol("f", "fcgi") + SERVICE_WEB);
        QVERIFY2(errorsOf(ds).empty(), qPrintable(dump(ds)));
        const std::string field = "metadata.annotations[nginx.ingress.kubernetes.io/backend-protocol]";
        std::vector<const Diagnostic*> found;
        for (const auto& d : ds)
            if (d.rule == "local-controller-protocol") found.push_back(&d);
        QCOMPARE(int(found.size()), 2);  // GRPC and FCGI (case-insensitive); HTTPS is simulated
        QCOMPARE(found[0]->object, std::string("Ingress default/g"));
        QCOMPARE(found[0]->field, field);
        QCOMPARE(found[0]->severity, Severity::Info);
        QVERIFY(found[0]->detail.find("get 502") != std::string::npos);
        QVERIFY(found[0]->pos.has_value());  // points at the annotation in the file
        QCOMPARE(found[1]->object, std::string("Ingress default/f"));
    }

    void lintServiceEndpoints_data() {
        QTest::addColumn<QString>("objects");
        QTest::addColumn<QString>("words");  // empty = the Service has endpoints
        const QString svcSel = "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
        const QString svcNoSel = "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n";
        auto dep = [](int replicas, const char* app) {
            return QString("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: %1\n  selector: {matchLabels: "
                           "{app: %2}}\n  template:\n    metadata: {labels: {app: %2}}\n    spec: {containers: [{name: w, image: x}]}\n")
                .arg(replicas)
                .arg(app);
        };
        QTest::newRow("deployment") << svcSel + dep(2, "web") << "";
        QTest::newRow("no deployment") << svcSel << "matches no Deployment";
        QTest::newRow("other labels") << svcSel + dep(2, "api") << "matches no Deployment";
        QTest::newRow("scaled to zero") << svcSel + dep(0, "web") << "scaled to 0 replicas";
        QTest::newRow("no selector no endpoints") << svcNoSel << "no selector and no Endpoints";
        QTest::newRow("endpoints") << svcNoSel + "---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: web}\nsubsets:\n- addresses: [{ip: 10.1.2.3}]\n  ports: [{port: 80}]\n"
                                   << "";
        QTest::newRow("endpoints not ready")
            << svcNoSel + "---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: web}\nsubsets:\n- notReadyAddresses: [{ip: 10.1.2.3}]\n  ports: [{port: 80}]\n"
            << "no selector and no Endpoints";
        QTest::newRow("endpointslice")
            << svcNoSel + "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-1, labels: {kubernetes.io/service-name: web}}\n"
                          "addressType: IPv4\nendpoints: [{addresses: [10.1.2.3]}]\nports: [{port: 80}]\n"
            << "";
    }
    void lintServiceEndpoints() {
        QFETCH(QString, objects);
        QFETCH(QString, words);
        auto ds = withRule(run(ingress("foo.bar", "/", "Prefix") + objects.toStdString()), "service-no-endpoints");
        if (words.isEmpty()) {
            QVERIFY2(ds.empty(), qPrintable(dump(ds)));
            return;
        }
        QVERIFY2(ds.size() == 1, qPrintable(dump(ds)));
        QCOMPARE(ds[0].object, std::string("Service default/web"));
        QVERIFY2(ds[0].detail.find(words.toStdString()) != std::string::npos, qPrintable(dump(ds)));
    }

    void lintTls() {
        const std::int64_t now = std::time(nullptr);
        const auto good = makeCert({"a.example.com"});
        const auto wildcard = makeCert({"*.example.com"});
        const auto expired = makeCert({"b.example.com"}, now - 40 * 86400, 10);
        const auto other = makeCert({"c.example.com"});
        tls::KeyPairPem mismatched = other;
        mismatched.keyPem = good.keyPem;
        tls::KeyPairPem broken = good;
        broken.certPem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

        auto ing = [](const char* name, const char* host, const char* secret) {
            return "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: " + std::string(name) +
                   "}\nspec:\n  tls:\n  - {hosts: [" + host + "], secretName: " + secret + "}\n  rules:\n  - host: " + host +
                   "\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n";
        };
        std::string y = std::string(SERVICE_WEB) + ing("ok", "a.example.com", "good") + ing("wild", "x.example.com", "wildcard") +
                        ing("exp", "b.example.com", "expired") + ing("uncovered", "d.example.com", "good") +
                        ing("missing", "e.example.com", "nope") + ing("opaque", "f.example.com", "opaque") +
                        ing("mismatch", "c.example.com", "mismatched") + ing("broken", "g.example.com", "broken") +
                        tlsSecret("good", good) + tlsSecret("wildcard", wildcard) + tlsSecret("expired", expired) +
                        tlsSecret("mismatched", mismatched) + tlsSecret("broken", broken) +
                        "---\napiVersion: v1\nkind: Secret\nmetadata: {name: opaque}\nstringData: {password: x}\n";
        y += "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: unused}\nspec:\n  tls:\n  - {hosts: [z.example.com], secretName: good}\n"
             "  rules:\n  - host: y.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n";
        validation::ValidationOptions o;
        o.now = now;
        auto ds = run(y, o);
        QVERIFY2(errorsOf(ds).empty(), qPrintable(dump(ds)));
        auto has = [&](const std::string& rule, const std::string& object, const std::string& field) {
            for (const auto& d : ds)
                if (d.rule == rule && d.object == object && d.field == field && d.severity == Severity::Warning) return true;
            return false;
        };
        QVERIFY2(has("tls-cert-expired", "Secret default/expired", "data[tls.crt]"), qPrintable(dump(ds)));
        QVERIFY2(has("tls-cert-not-covering", "Ingress default/uncovered", "spec.tls[0].hosts[0]"), qPrintable(dump(ds)));
        QVERIFY2(has("tls-secret-missing", "Ingress default/missing", "spec.tls[0].secretName"), qPrintable(dump(ds)));
        QVERIFY2(has("tls-secret-wrong-type", "Ingress default/opaque", "spec.tls[0].secretName"), qPrintable(dump(ds)));
        QVERIFY2(has("tls-key-mismatch", "Secret default/mismatched", "data[tls.key]"), qPrintable(dump(ds)));
        QVERIFY2(has("tls-cert-invalid", "Secret default/broken", "data[tls.crt]"), qPrintable(dump(ds)));
        QVERIFY2(has("tls-host-unused", "Ingress default/unused", "spec.tls[0].hosts[0]"), qPrintable(dump(ds)));
        // The valid, covering certificates (exact and wildcard) produce nothing.
        for (const auto& d : ds) {
            QVERIFY2(d.object != "Ingress default/ok" && d.object != "Ingress default/wild" && d.object != "Secret default/good",
                     qPrintable(dump(ds)));
            QVERIFY2(d.detail.find("PRIVATE KEY") == std::string::npos, "a private key leaked into a message");
        }
        // The routing engine adds, on the Ingress, that the broken Secret makes it serve the default certificate.
        QVERIFY2(has("tls-secret-unusable", "Ingress default/broken", "spec.tls"), qPrintable(dump(ds)));
        if (ds.size() != 8) qWarning().noquote() << dump(ds);
        QCOMPARE(int(ds.size()), 8);
    }

    // The routing engine's annotation lint is part of validate(); findings we already make are not repeated.
    void routingAnnotationLintIsMerged() {
        const std::string y = ingress("foo.bar", "/", "Prefix", "service: {name: web, port: {number: 80}}", "web",
                                      "  annotations:\n    nginx.ingress.kubernetes.io/made-up-key: x\n"
                                      "    nginx.ingress.kubernetes.io/server-snippet: 'return 200;'\n") +
                              SERVICE_WEB;
        auto ds = run(y);
        const std::string unknown = "metadata.annotations[nginx.ingress.kubernetes.io/made-up-key]";
        const std::string snippet = "metadata.annotations[nginx.ingress.kubernetes.io/server-snippet]";
        bool sawUnknown = false;
        int onSnippet = 0;
        for (const auto& d : ds) {
            if (d.field == unknown && d.severity == Severity::Warning) sawUnknown = true;
            if (d.field == snippet) ++onSnippet;
        }
        QVERIFY2(sawUnknown, qPrintable(dump(ds)));
        QVERIFY2(onSnippet == 1, qPrintable(dump(ds)));
        QVERIFY(findDiag(ds, snippet, "admission-snippet"));
        validation::ValidationOptions noLint;
        noLint.lint = false;
        QVERIFY(!findDiag(run(y, noLint), unknown));
    }

    // ---- positions in a multi-document file ---------------------------------------------------------------
    void sourcePositions() {
        bool readable = false;
        model::Workspace ws = yaml::loadPaths({testing::fixture("validation/multi_document.yaml").toStdString()}, &readable);
        QVERIFY(readable);
        validation::ValidationOptions o;
        o.lint = false;
        auto ds = validation::validate(ws, o);
        struct Expect {
            const char* object;
            const char* field;
            DiagCode code;
            int line, column;
        };
        const Expect expected[] = {
            {"Service default/web", "spec.ports[1].name", DiagCode::Duplicate, 12, 11},
            {"Service default/web", "spec.ports[1].port", DiagCode::Invalid, 13, 11},
            {"Ingress default/web", "spec.rules[0].host", DiagCode::Invalid, 21, 11},
            {"Ingress default/web", "spec.rules[0].http.paths[1].pathType", DiagCode::NotSupported, 32, 19},
            {"Deployment default/web", "spec.replicas", DiagCode::Invalid, 44, 13},
        };
        QVERIFY2(ds.size() == std::size(expected), qPrintable(dump(ds)));
        for (std::size_t i = 0; i < ds.size(); ++i) {
            QCOMPARE(ds[i].object, std::string(expected[i].object));
            QCOMPARE(ds[i].field, std::string(expected[i].field));
            QCOMPARE(ds[i].code, expected[i].code);
            QVERIFY(ds[i].pos.has_value());
            QVERIFY2(ds[i].pos->file.ends_with("multi_document.yaml"), ds[i].pos->file.c_str());
            QCOMPARE(ds[i].pos->line, expected[i].line);
            QCOMPARE(ds[i].pos->column, expected[i].column);
        }
    }

    void hostileInputNeverCrashes() {
        // Type errors and odd shapes reach validate() through the reader; validate must cope with the result.
        const char* docs[] = {
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\nspec: {rules: [null, 3, {http: {paths: [null, 7]}}]}\n",
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\nspec: {rules: [{http: 5}], tls: [null, {hosts: [[1]]}]}\n",
            "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [7, {port: abc}], selector: [1]}\n",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {selector: 3, template: {spec: {containers: 4}}}\n",
            "apiVersion: v1\nkind: Endpoints\nmetadata: {name: x}\nsubsets: [{addresses: [3, {ip: [1]}], ports: [null]}]\n",
            "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: x}\nspec: {parameters: 5}\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ntype: kubernetes.io/tls\ndata: {tls.crt: '!!!', tls.key: 'AAAA'}\n",
        };
        for (const char* d : docs) {
            auto ds = run(d);
            QVERIFY(!ds.empty());
        }
    }
};

QTEST_GUILESS_MAIN(ValidationTest)
#include "validation_test.moc"
