#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTest>

#include "e2e/serve_harness.h"

using namespace ilab::e2e;

class ServeCliTest : public QObject {
    Q_OBJECT
private slots:
    void autoBackendsServeABareIngress() {
        Serve s;
        s.writeFile("ing.yaml",
                    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bare}\nspec:\n  ingressClassName: nginx\n"
                    "  rules:\n  - host: bare.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
                    "        backend: {service: {name: ghost, port: {number: 8080}}}\n");
        QVERIFY(s.start({"ing.yaml"}, {"--auto-backends"}));
        const CurlResult r = curl({"-H", "Host: bare.example.com", s.http("/hi")});
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o["service"].toString(), QStringLiteral("ghost"));
        QVERIFY(o["pod"].toString().startsWith("ghost-"));
        QVERIFY(s.waitForOutput("[default-ghost-8080]"));
        QCOMPARE(s.stop(), 0);  // SIGTERM: clean exit 0
    }

    void withoutAutoBackendsTheServiceIsMissing() {
        Serve s;
        s.writeFile("ing.yaml",
                    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bare}\nspec:\n  ingressClassName: nginx\n"
                    "  rules:\n  - host: bare.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n"
                    "        backend: {service: {name: ghost, port: {number: 8080}}}\n");
        QVERIFY(s.start({"ing.yaml"}));
        QCOMPARE(s.status("bare.example.com", "/"), 503);
        QVERIFY(s.waitForOutput("reason: 'ServiceNotFound' Service default/ghost not found"));
        QCOMPARE(s.stop(), 0);
    }

    void portInUseExits2NamingTheAddress() {
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        QTemporaryDir dir;
        QFile f(dir.filePath("ing.yaml"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports: [{port: 80}]\n");
        f.close();
        QProcess p;
        p.start(ilab::testing::cliPath(), {"serve", f.fileName(), "--http", QString("127.0.0.1:%1").arg(blocker.serverPort()),
                                           "--https", "127.0.0.1:0", "--admin", "127.0.0.1:0"});
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 2);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains(QString("127.0.0.1:%1").arg(blocker.serverPort()).toUtf8()), err.constData());
        QVERIFY(!p.readAllStandardOutput().contains("ready http="));
    }

    void badUsageExits2() {
        QProcess p;
        p.start(ilab::testing::cliPath(), {"serve", "demo", "--http", "nonsense"});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("--http"));
    }

    void demoWorkspaceServes() {
        Serve d;
        QVERIFY(d.start({"demo"}));
        QVERIFY(d.waitForOutput("\"Backend successfully reloaded\""));
        QCOMPARE(d.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(ServeCliTest)
#include "serve_cli_test.moc"
