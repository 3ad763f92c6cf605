// `ingress-lab-cli migrate` as a process: conversion to YAML/JSON (annotations not carried over on stderr, --out),
// and --check: the behavioural diff finds the wildcard-depth change of gateway.md §9 row 15 and the lost HTTPS,
// groups them by cause, and exits 1; usage errors exit 2.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "support/test_paths.h"

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out, err;
};

Run cli(const QStringList& args) {
    QProcess p;
    p.start(ilab::testing::cliPath(), args);
    Run r;
    if (!p.waitForFinished(60000)) {
        p.kill();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

const char* WORKSPACE = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: w
  annotations:
    nginx.ingress.kubernetes.io/limit-rps: "5"
spec:
  ingressClassName: nginx
  rules:
  - host: '*.w.example'
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: svc-w, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: svc-w}
spec:
  selector: {app: w}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: w}
spec:
  selector: {matchLabels: {app: w}}
  template:
    metadata: {labels: {app: w}}
    spec:
      containers: [{name: w, image: 'w:1'}]
)";

}  // namespace

class MigrateCliTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_file;

private slots:
    void initTestCase() {
        m_file = m_dir.filePath("ws.yaml");
        QFile f(m_file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(WORKSPACE);
    }

    void convertsAndListsDroppedAnnotations() {
        const Run r = cli({"migrate", m_file});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("kind: Gateway"));
        QVERIFY(r.out.contains("name: w-w-example"));          // HTTPRoute named <ingress>-<NameFromHost>
        QVERIFY(r.out.contains("hostname: '*.w.example'"));
        QVERIFY2(r.err.contains("Unsupported annotation nginx.ingress.kubernetes.io/limit-rps"), r.err.constData());
        const Run j = cli({"migrate", m_file, "-o", "json"});
        QCOMPARE(j.exitCode, 0);
        const QJsonArray items = QJsonDocument::fromJson(j.out).object()["items"].toArray();
        QCOMPARE(items.size(), 2);
        QCOMPARE(items[0].toObject()["kind"].toString(), QStringLiteral("Gateway"));
        QCOMPARE(items[1].toObject()["spec"].toObject()["rules"].toArray()[0].toObject()["backendRefs"].toArray()[0].toObject()["port"].toInt(), 80);
        const Run o = cli({"migrate", m_file, "--out", m_dir.filePath("out")});
        QCOMPARE(o.exitCode, 0);
        QVERIFY(QFile::exists(m_dir.filePath("out/gateway-api.yaml")));
    }

    void checkReportsBehaviourChanges() {
        const Run r = cli({"migrate", m_file, "--check", "--json", "--url", "http://x.w.example/", "--url", "https://x.w.example/"});
        QCOMPARE(r.exitCode, 1);
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QVERIFY(o["requests"].toInt() > 5);
        bool wildcardDepth = false, httpsLost = false, plainSame = true;
        for (const auto& g : o["groups"].toArray()) {
            const QString cause = g.toObject()["cause"].toString();
            for (const auto& x : g.toObject()["requests"].toArray()) {
                const QJsonObject d = x.toObject();
                const QString req = d["request"].toString();
                if (req == QLatin1String("GET http://a.b.w.example/")) {
                    wildcardDepth = cause == QLatin1String("status 404 -> 200") && d["ingressNginx"].toObject()["status"].toInt() == 404 &&
                                    d["gateway"].toObject()["backends"].toObject().contains("default/svc-w:80");
                }
                if (req.startsWith(QLatin1String("GET https://")) && cause.startsWith(QLatin1String("HTTPS no longer served"))) httpsLost = true;
                if (req == QLatin1String("GET http://x.w.example/")) plainSame = false;  // one label: both serve it
            }
        }
        QVERIFY2(wildcardDepth, r.out.constData());
        QVERIFY2(httpsLost, r.out.constData());
        QVERIFY2(plainSame, r.out.constData());
        QVERIFY(o["notCarriedOver"].toArray().size() >= 1);
    }

    void usageErrors() {
        QCOMPARE(cli({"migrate"}).exitCode, 2);
        QCOMPARE(cli({"migrate", m_file, "-o", "xml"}).exitCode, 2);
        QCOMPARE(cli({"migrate", m_file, "--json"}).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(MigrateCliTest)
#include "migrate_cli_test.moc"
