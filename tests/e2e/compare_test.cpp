// Predicted vs observed (issue 13) with real binaries: `ingress-lab-cli traffic … --compare` starts the demo's local
// controller in-process (the prediction) and sends the same requests to "the cluster's controller" (the
// observation). There is no real ingress-nginx here, so that controller is a second real `ingress-lab-cli serve`
// listening on another loopback address, and the CLI finds it the way it finds a real one, through the real
// kube-apiserver: an Ingress whose status.loadBalancer.ip (written through ingresses/status) is 127.0.0.2, or a
// NodePort Service of the controller on a Node whose InternalIP is 127.0.0.1.
//   matching run: the same demo workspace -> no disagreement, exit 0 (90/10 canary on both sides)
//   injected disagreement: canary-weight 50 and ssl-redirect "false" -> the share, the status and the redirect
//   are called out with the request that shows each, exit 1 (text and --json)
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include "support/cli_run.h"
#include "support/kube_server.h"
#include "support/test_paths.h"

using ilab::testing::KubeServer;

namespace {

QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A free TCP port on 127.0.0.1 in [from, to).
int freePort(int from, int to) {
    for (int p = from; p < to; ++p) {
        QTcpServer s;
        if (s.listen(QHostAddress::LocalHost, quint16(p))) return p;
    }
    return 0;
}

// `ingress-lab-cli serve` as "the cluster's ingress controller" on fixed addresses.
class ClusterController {
public:
    QProcess proc;
    int httpPort = 0, httpsPort = 0;
    ~ClusterController() {
        if (proc.state() != QProcess::NotRunning) {
            ::kill(static_cast<pid_t>(proc.processId()), SIGTERM);
            if (!proc.waitForFinished(15000)) proc.kill();
        }
    }
    bool start(const QString& workspace, const QString& http, const QString& https) {
        proc.setProgram(ilab::testing::cliPath());
        proc.setArguments({"serve", workspace, "--http", http, "--https", https, "--admin", "127.0.0.1:0"});
        proc.start();
        if (!proc.waitForStarted(5000)) return false;
        const QRegularExpression re("^ready http=[0-9.]+:(\\d+) https=[0-9.]+:(\\d+)", QRegularExpression::MultilineOption);
        QByteArray out;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 20000 && proc.state() == QProcess::Running) {
            proc.waitForReadyRead(200);
            out += proc.readAllStandardOutput();
            const auto m = re.match(QString::fromUtf8(out));
            if (m.hasMatch()) {
                httpPort = m.captured(1).toInt();
                httpsPort = m.captured(2).toInt();
                return true;
            }
        }
        qWarning("serve did not become ready: %s %s", out.constData(), proc.readAllStandardError().constData());
        return false;
    }
};

const char* const API_INGRESS = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: version-stable
  namespace: %1
spec:
  ingressClassName: nginx
  tls:
  - hosts: [agent.example.com]
    secretName: agent-tls
  rules:
  - host: api.example.com
    http:
      paths:
      - path: /version
        pathType: Prefix
        backend:
          service:
            name: agent-stable
            port:
              number: 80
  - host: agent.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: agent-service
            port:
              number: 80
)";

}  // namespace

class CompareTest : public QObject {
    Q_OBJECT

    std::unique_ptr<KubeServer> m_kube;
    QTemporaryDir m_tmp;

    void kubectlOk(const QStringList& args, const QByteArray& stdinData = {}) {
        int code = -1;
        const QByteArray out = m_kube->kubectl(args, &code, stdinData);
        QVERIFY2(code == 0, qPrintable(args.join(' ') + ": " + QString::fromUtf8(out)));
    }

    ilab::testing::CliRun compare(const QStringList& extra) {
        QStringList args{"traffic", "http://api.example.com/version", "https://agent.example.com/", "-k",
                         "-n", "2000", "-c", "8", "--compare", "--workspace", "demo",
                         "--kubeconfig", m_kube->kubeconfig("admin-cert"), "--confidence", "0.9999"};
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("HOME", m_tmp.path());
        env.remove("KUBECONFIG");
        return ilab::testing::runCli(args + extra, env, 180000);
    }

private slots:
    void initTestCase() {
        ILAB_REQUIRE_KUBE_SERVER();
        m_kube = std::make_unique<KubeServer>();
        QVERIFY2(m_kube->start(), qPrintable(m_kube->errorString()));
    }
    void cleanupTestCase() {
        if (m_kube) m_kube->stop();
    }

    // The cluster runs what was designed: no disagreement, exit 0. Found through the Ingress status.
    void matchingRunAgrees() {
        ClusterController cluster;
        const int http = freePort(20000 + QCoreApplication::applicationPid() % 5000, 29999);
        const int https = freePort(http + 1, 29999);
        QVERIFY(http && https);
        QVERIFY(cluster.start("demo", QStringLiteral("127.0.0.2:%1").arg(http), QStringLiteral("127.0.0.2:%1").arg(https)));
        kubectlOk({"create", "namespace", "shop"});
        kubectlOk({"apply", "-f", "-"}, QString::fromLatin1(API_INGRESS).arg("shop").toUtf8());
        kubectlOk({"patch", "ingress", "version-stable", "-n", "shop", "--subresource=status", "--type=merge", "-p",
                   QStringLiteral(R"({"status":{"loadBalancer":{"ingress":[{"ip":"127.0.0.2","ports":[{"port":%1,"protocol":"TCP"},{"port":%2,"protocol":"TCP"}]}]}}})")
                       .arg(http)
                       .arg(https)});

        const auto run = compare({"--namespace", "shop", "--controller-namespace", "no-controller-here", "--json"});
        QVERIFY2(run.exitCode == 0, run.all().constData());
        QVERIFY2(run.err.contains("ingress-status"), run.err.constData());  // the rule that chose the target
        const QJsonObject o = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(o.value("agrees").toBool(), true);
        QVERIFY(o.value("disagreements").toArray().isEmpty());
        QVERIFY(o.value("observed").toString().contains("127.0.0.2"));
        QVERIFY(o.value("observed").toString().contains("[ingress-status]"));
        const QJsonArray routes = o.value("routes").toArray();
        QCOMPARE(routes.size(), 2);
        // The canary route: both backends on both sides, every request answered.
        const QJsonObject version = routes[0].toObject();
        QCOMPARE(version.value("route").toString(), QString("GET http://api.example.com/version"));
        QStringList names;
        for (const auto& b : version.value("backends").toArray()) {
            const QJsonObject row = b.toObject();
            names << row.value("name").toString();
            QVERIFY(row.value("predicted").toObject().value("count").toInt() > 0);
            QVERIFY(row.value("observed").toObject().value("count").toInt() > 0);
        }
        QCOMPARE(names, (QStringList{"agent-stable", "agent-test"}));
        const QJsonObject observedTest = version.value("backends").toArray()[1].toObject().value("observed").toObject();
        QVERIFY(observedTest.value("share").toDouble() > 0.05 && observedTest.value("share").toDouble() < 0.15);
        QCOMPARE(version.value("observed").toObject().value("responses").toInt(), 1000);
        // HTTPS with the real SNI: agent.example.com answered by agent-service on both sides.
        const QJsonObject agent = routes[1].toObject();
        QCOMPARE(agent.value("backends").toArray()[0].toObject().value("name").toString(), QString("agent-service"));
        QCOMPARE(agent.value("observed").toObject().value("errors").toInt(), 0);
    }

    // The cluster's controller runs a different configuration: canary 50 % and no HTTPS redirect. Found through
    // the controller Service's NodePort on a Node at 127.0.0.1.
    void injectedDisagreementIsReported() {
        QByteArray demo = readFile(ilab::testing::sourceDir() + "/resources/demo/demo-workspace.yaml");
        QVERIFY(demo.contains("canary-weight: \"10\""));
        demo.replace("canary-weight: \"10\"", "canary-weight: \"50\"");
        const QByteArray agentTls = "  name: agent-tls\nspec:\n  ingressClassName: nginx\n  tls:";
        QVERIFY(demo.contains(agentTls));
        demo.replace(agentTls, "  name: agent-tls\n  annotations:\n    nginx.ingress.kubernetes.io/ssl-redirect: \"false\"\n"
                               "spec:\n  ingressClassName: nginx\n  tls:");
        const QString path = m_tmp.filePath("modified.yaml");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(demo);
        f.close();

        const int nodePort = freePort(30000 + QCoreApplication::applicationPid() % 2000, 32760);
        QVERIFY(nodePort);
        ClusterController cluster;
        QVERIFY(cluster.start(path, QStringLiteral("127.0.0.1:%1").arg(nodePort), "127.0.0.1:0"));
        kubectlOk({"create", "namespace", "shop2"});
        kubectlOk({"create", "namespace", "ctl2"});
        kubectlOk({"apply", "-f", "-"}, QString::fromLatin1(API_INGRESS).arg("shop2").toUtf8());  // no status
        kubectlOk({"apply", "-f", "-"}, QStringLiteral(R"(apiVersion: v1
kind: Node
metadata:
  name: worker-e2e
---
apiVersion: v1
kind: Service
metadata:
  name: ingress-nginx-controller
  namespace: ctl2
  labels: {app.kubernetes.io/component: controller, app.kubernetes.io/name: ingress-nginx}
spec:
  type: NodePort
  ports:
  - name: http
    port: 80
    protocol: TCP
    nodePort: %1
)").arg(nodePort).toUtf8());
        kubectlOk({"patch", "node", "worker-e2e", "--subresource=status", "--type=merge", "-p",
                   R"({"status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"}]}})"});

        // Only HTTP is published by the NodePort: send the redirect route over HTTP.
        QStringList args{"traffic", "http://api.example.com/version", "http://agent.example.com/", "-n", "2000", "-c", "8",
                         "--compare", "--workspace", "demo", "--kubeconfig", m_kube->kubeconfig("admin-cert"),
                         "--namespace", "shop2", "--controller-namespace", "ctl2", "--confidence", "0.9999"};
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("HOME", m_tmp.path());
        env.remove("KUBECONFIG");
        const auto text = ilab::testing::runCli(args, env, 180000);
        QVERIFY2(text.exitCode == 1, text.all().constData());
        const QString out = QString::fromUtf8(text.out);
        QVERIFY2(out.contains("[service-nodeport]"), qPrintable(out));
        QVERIFY2(out.contains("DISAGREES"), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("[share] GET http://api.example.com/version: share of agent-test: observed")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("--connect-to api.example.com:80:127.0.0.1:%1 http://api.example.com/version").arg(nodePort)),
                 qPrintable(out));
        QVERIFY2(out.contains("[redirect] GET http://agent.example.com/: redirect differs: observed 200 without Location vs "
                              "predicted 308 Location: https://agent.example.com"),
                 qPrintable(out));

        const auto json = ilab::testing::runCli(args + QStringList{"--json"}, env, 180000);
        QCOMPARE(json.exitCode, 1);
        const QJsonObject o = QJsonDocument::fromJson(json.out).object();
        QCOMPARE(o.value("agrees").toBool(), false);
        QMultiMap<QString, QString> kinds;  // kind -> subject
        for (const auto& d : o.value("disagreements").toArray()) {
            const QJsonObject dj = d.toObject();
            kinds.insert(dj.value("kind").toString(), dj.value("subject").toString());
            QVERIFY(dj.value("observedRequest").toString().startsWith("curl -sS -i --connect-to "));
            QVERIFY(dj.value("predictedRequest").toString().contains(":127.0.0.1:"));
        }
        QVERIFY2(kinds.contains("share"), json.out.constData());
        QVERIFY(kinds.values(QStringLiteral("share")).contains("agent-test"));
        QVERIFY(kinds.contains("status"));  // 308 predicted, 200 observed on agent.example.com
        QVERIFY(kinds.contains("redirect"));
        // The prediction's canary share stays near 10 %, the observation's near 50 %.
        const QJsonObject version = o.value("routes").toArray()[0].toObject();
        for (const auto& b : version.value("backends").toArray()) {
            const QJsonObject row = b.toObject();
            if (row.value("name").toString() != "agent-test") continue;
            QVERIFY(row.value("predicted").toObject().value("share").toDouble() < 0.2);
            QVERIFY(row.value("observed").toObject().value("share").toDouble() > 0.35);
            QCOMPARE(row.value("disagrees").toBool(), true);
        }
    }

    // Bad input: clear errors, exit 2.
    void usageErrors() {
        const auto noWorkspace = ilab::testing::runCli({"traffic", "http://a.example/", "--compare",
                                                        "--kubeconfig", m_kube->kubeconfig("admin-cert")});
        QCOMPARE(noWorkspace.exitCode, 2);
        QVERIFY2(noWorkspace.err.contains("need --workspace"), noWorkspace.err.constData());
        const auto badTarget = ilab::testing::runCli({"traffic", "http://a.example/", "--target", "moon"});
        QCOMPARE(badTarget.exitCode, 2);
        QVERIFY(badTarget.err.contains("--target must be 'local' or 'cluster', not 'moon'"));
        const auto badConfidence = ilab::testing::runCli({"traffic", "http://a.example/", "--confidence", "2"});
        QCOMPARE(badConfidence.exitCode, 2);
        QVERIFY(badConfidence.err.contains("--confidence must be between"));
    }
};

QTEST_GUILESS_MAIN(CompareTest)
#include "compare_test.moc"
