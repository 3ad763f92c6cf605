// The real kube-apiserver harness (tests/kube/, tests/support/kube_server.h) does what kube tests rely on:
// a genuine v1.20.2 API server that stores what kubectl applies, authenticates each kubeconfig mode,
// enforces RBAC, runs side by side with a second instance, and leaves no process behind.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cerrno>
#include <csignal>

#include "support/kube_server.h"
#include "support/test_paths.h"

using ilab::testing::KubeServer;

namespace {

// Ingress + Service + TLS Secret; %1/%2 = base64 certificate and key.
constexpr const char* kManifest = R"EOF(
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  ports:
  - name: http
    port: 8000
    protocol: TCP
    targetPort: 8080
---
apiVersion: v1
kind: Secret
metadata:
  name: web-tls
  namespace: default
type: kubernetes.io/tls
data:
  tls.crt: %1
  tls.key: %2
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: default
  annotations:
    nginx.ingress.kubernetes.io/ssl-redirect: "true"
spec:
  ingressClassName: nginx
  tls:
  - hosts: [app.example.test]
    secretName: web-tls
  rules:
  - host: app.example.test
    http:
      paths:
      - path: /api
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 8000
)EOF";

bool processAlive(qint64 pid) {
    if (::kill(static_cast<pid_t>(pid), 0) != 0) return errno != ESRCH;
    // An exited child that nobody reaped yet is not running either.
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) return false;
    const QByteArray line = stat.readAll();
    const int close = line.lastIndexOf(')');
    return close < 0 || line.mid(close + 2, 1) != "Z";
}

QByteArray base64File(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll().toBase64() : QByteArray();
}

}  // namespace

class KubeHarnessTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        ILAB_REQUIRE_KUBE_SERVER();
        QVERIFY2(m_kube.start(), qPrintable(m_kube.errorString()));
        qInfo("kube-apiserver + etcd ready in %.2f s at %s (%s)", m_kube.startSeconds(), qPrintable(m_kube.server()),
              qPrintable(m_kube.dir()));
        QVERIFY(m_kube.server().startsWith(QStringLiteral("https://127.0.0.1:")));
    }

    void serverIsTheRealV1202() {
        int code = -1;
        const QByteArray out = m_kube.kubectl({QStringLiteral("version"), QStringLiteral("-o"), QStringLiteral("json")},
                                              &code);
        QCOMPARE(code, 0);
        const QJsonObject server = QJsonDocument::fromJson(out).object().value(QStringLiteral("serverVersion")).toObject();
        QCOMPARE(server.value(QStringLiteral("gitVersion")).toString(), QStringLiteral("v1.20.2"));
    }

    void appliedIngressIsStoredAndListed() {
        const QByteArray manifest = QString::fromLatin1(kManifest)
                                        .arg(QString::fromLatin1(base64File(m_kube.dir() + "/pki/apiserver.crt")),
                                             QString::fromLatin1(base64File(m_kube.dir() + "/pki/apiserver.key")))
                                        .toUtf8();
        int code = -1;
        QByteArray out = m_kube.kubectl({QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")}, &code,
                                        manifest);
        QVERIFY2(code == 0, out.constData());
        QVERIFY2(out.contains("ingress.networking.k8s.io/web created"), out.constData());
        QVERIFY2(out.contains("service/web created"), out.constData());
        QVERIFY2(out.contains("secret/web-tls created"), out.constData());

        out = m_kube.kubectl({QStringLiteral("get"), QStringLiteral("ingress"), QStringLiteral("-o"),
                              QStringLiteral("json")},
                             &code);
        QVERIFY2(code == 0, out.constData());
        const QJsonArray items = QJsonDocument::fromJson(out).object().value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 1);
        const QJsonObject ingress = items.at(0).toObject();
        QCOMPARE(ingress.value("metadata").toObject().value("name").toString(), QStringLiteral("web"));
        QVERIFY(!ingress.value("metadata").toObject().value("uid").toString().isEmpty());  // stored by the server
        const QJsonObject spec = ingress.value("spec").toObject();
        QCOMPARE(spec.value("ingressClassName").toString(), QStringLiteral("nginx"));
        QCOMPARE(spec.value("tls").toArray().at(0).toObject().value("secretName").toString(), QStringLiteral("web-tls"));
        const QJsonObject rule = spec.value("rules").toArray().at(0).toObject();
        QCOMPARE(rule.value("host").toString(), QStringLiteral("app.example.test"));
        const QJsonObject path = rule.value("http").toObject().value("paths").toArray().at(0).toObject();
        QCOMPARE(path.value("path").toString(), QStringLiteral("/api"));
        QCOMPARE(path.value("backend").toObject().value("service").toObject().value("name").toString(),
                 QStringLiteral("web"));

        // The Service got a ClusterIP from the server's allocator: a real API server, not a stub.
        out = m_kube.kubectl({QStringLiteral("get"), QStringLiteral("service"), QStringLiteral("web"),
                              QStringLiteral("-o"), QStringLiteral("jsonpath={.spec.clusterIP}")},
                             &code);
        QCOMPARE(code, 0);
        QVERIFY2(QRegularExpression(QStringLiteral("^10\\.\\d+\\.\\d+\\.\\d+$")).match(QString::fromLatin1(out)).hasMatch(),
                 out.constData());
        out = m_kube.kubectl({QStringLiteral("get"), QStringLiteral("secret"), QStringLiteral("web-tls"),
                              QStringLiteral("-o"), QStringLiteral("jsonpath={.type}")},
                             &code);
        QCOMPARE(code, 0);
        QCOMPARE(out, QByteArray("kubernetes.io/tls"));
    }

    void limitedUserIsForbidden_data() {
        QTest::addColumn<QString>("mode");
        QTest::newRow("client certificate") << QStringLiteral("limited");
        QTest::newRow("static token") << QStringLiteral("limited-token");
    }
    void limitedUserIsForbidden() {
        QFETCH(QString, mode);
        int code = -1;
        const QByteArray out = m_kube.kubectlAs(mode, {QStringLiteral("get"), QStringLiteral("ingresses")}, &code);
        QVERIFY2(code != 0, out.constData());
        QVERIFY2(out.contains("(Forbidden)"), out.constData());
        QVERIFY2(out.contains("User \"ilab-limited\" cannot list resource \"ingresses\""), out.constData());
    }

    void everyAdminKubeconfigAuthenticates_data() {
        QTest::addColumn<QString>("mode");
        for (const char* mode : {"admin-cert", "admin-certfiles", "admin-token", "admin-tokenfile"}) {
            QTest::newRow(mode) << QString::fromLatin1(mode);
        }
    }
    void everyAdminKubeconfigAuthenticates() {
        QFETCH(QString, mode);
        QVERIFY(QFile::exists(m_kube.kubeconfig(mode)));
        int code = -1;
        // Listing cluster-scoped namespaces needs cluster-admin rights (system:masters).
        const QByteArray out = m_kube.kubectlAs(
            mode, {QStringLiteral("get"), QStringLiteral("namespaces"), QStringLiteral("-o"), QStringLiteral("name")},
            &code);
        QVERIFY2(code == 0, out.constData());
        QVERIFY2(out.contains("namespace/kube-system"), out.constData());
        // What kind writes: context kind-ilab with namespace default.
        const QByteArray view = m_kube.kubectlAs(
            mode, {QStringLiteral("config"), QStringLiteral("view"), QStringLiteral("--minify"), QStringLiteral("-o"),
                   QStringLiteral("jsonpath={.current-context}/{.contexts[0].context.namespace}")},
            &code);
        QCOMPARE(code, 0);
        QCOMPARE(view, QByteArray("kind-ilab/default"));
    }

    void wrongTokenIsUnauthorized() {
        // The token kubeconfigs authenticate by their token: a changed token is refused with 401.
        QFile in(m_kube.kubeconfig(QStringLiteral("admin-token")));
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray config = in.readAll();
        QVERIFY(config.contains(m_kube.token(QStringLiteral("admin")).toLatin1()));
        config.replace(m_kube.token(QStringLiteral("admin")).toLatin1(), "0123456789abcdef0123456789abcdef");
        QTemporaryDir tmp;
        QFile out(tmp.filePath(QStringLiteral("wrong.kubeconfig")));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(config);
        out.close();
        int code = -1;
        const QByteArray result =
            m_kube.kubectl({QStringLiteral("--kubeconfig"), out.fileName(), QStringLiteral("get"), QStringLiteral("ns")},
                           &code);
        QVERIFY2(code != 0, result.constData());
        QVERIFY2(result.contains("Unauthorized"), result.constData());
    }

    void restartKeepsPortCredentialsAndData() {
        int code = -1;
        QByteArray out = m_kube.kubectl({QStringLiteral("create"), QStringLiteral("configmap"),
                                         QStringLiteral("survivor"), QStringLiteral("--from-literal=k=v")},
                                        &code);
        QVERIFY2(code == 0, out.constData());
        const QString server = m_kube.server();
        const QString oldPid = m_kube.envValue(QStringLiteral("ILAB_KUBE_APISERVER_PID"));
        QVERIFY2(m_kube.restartApiServer(), qPrintable(m_kube.errorString()));
        QCOMPARE(m_kube.server(), server);
        const QString newPid = m_kube.envValue(QStringLiteral("ILAB_KUBE_APISERVER_PID"));
        QVERIFY(newPid != oldPid);
        QVERIFY(!processAlive(oldPid.toLongLong()));
        QVERIFY(m_kube.pids().contains(newPid.toLongLong()));
        // The same token kubeconfig still works, and the object stored before the restart is still there.
        out = m_kube.kubectlAs(QStringLiteral("admin-token"),
                               {QStringLiteral("get"), QStringLiteral("configmap"), QStringLiteral("survivor"),
                                QStringLiteral("-o"), QStringLiteral("jsonpath={.data.k}")},
                               &code);
        QVERIFY2(code == 0, out.constData());
        QCOMPARE(out, QByteArray("v"));
    }

    void secondServerRunsBesideTheFirst() {
        // What ctest -j relies on: another instance gets its own ports, etcd and credentials.
        KubeServer other;
        QVERIFY2(other.start(), qPrintable(other.errorString()));
        qInfo("second instance ready in %.2f s", other.startSeconds());
        QVERIFY(other.server() != m_kube.server());
        QVERIFY(other.envValue("ILAB_ETCD_CLIENT_PORT") != m_kube.envValue("ILAB_ETCD_CLIENT_PORT"));
        int code = -1;
        const QByteArray out = other.kubectl({QStringLiteral("get"), QStringLiteral("ingress"), QStringLiteral("web")},
                                             &code);
        QVERIFY2(code != 0 && out.contains("NotFound"), out.constData());  // the first server's object is not here
        // Credentials are per instance: the first server's admin token means nothing to the second.
        QFile config(other.kubeconfig(QStringLiteral("admin-token")));
        QVERIFY(config.open(QIODevice::ReadOnly));
        QByteArray crossConfig = config.readAll();
        QVERIFY(crossConfig.contains(other.token(QStringLiteral("admin")).toLatin1()));
        crossConfig.replace(other.token(QStringLiteral("admin")).toLatin1(), m_kube.token(QStringLiteral("admin")).toLatin1());
        QTemporaryDir tmp;
        QFile cross(tmp.filePath(QStringLiteral("cross.kubeconfig")));
        QVERIFY(cross.open(QIODevice::WriteOnly));
        cross.write(crossConfig);
        cross.close();
        const QByteArray crossOut = other.kubectl(
            {QStringLiteral("--kubeconfig"), cross.fileName(), QStringLiteral("get"), QStringLiteral("ns")}, &code);
        QVERIFY2(code != 0, crossOut.constData());
        QVERIFY2(crossOut.contains("Unauthorized"), crossOut.constData());
        const QList<qint64> pids = other.pids();
        other.stop();
        for (qint64 pid : pids) QVERIFY2(!processAlive(pid), qPrintable(QString::number(pid)));
    }

    void watchdogStopsTheServerWhenItsOwnerDies() {
        // A test process that crashes or is killed by ctest's timeout never calls stop(); the watchdog does.
        QProcess owner;
        owner.start(QStringLiteral("sleep"), {QStringLiteral("600")});
        QVERIFY(owner.waitForStarted());
        QTemporaryDir dir;
        QProcess start;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ILAB_KUBE_OWNER_PID"), QString::number(owner.processId()));
        env.insert(QStringLiteral("ILAB_KUBE_APISERVER"), KubeServer::apiserverBinary());
        start.setProcessEnvironment(env);
        start.setProcessChannelMode(QProcess::MergedChannels);
        start.start(QStringLiteral("bash"),
                    {ilab::testing::sourceDir() + QStringLiteral("/tests/kube/start-apiserver.sh"), dir.path()});
        // Whatever happens below, stop what the script started (a no-op once the watchdog did it).
        const auto stopAnyway = qScopeGuard([&dir] {
            QProcess::execute(QStringLiteral("bash"),
                              {ilab::testing::sourceDir() + QStringLiteral("/tests/kube/stop-apiserver.sh"), dir.path()});
        });
        QVERIFY(start.waitForFinished(240'000));
        QVERIFY2(start.exitCode() == 0, start.readAll().constData());
        QFile pidFile(dir.filePath(QStringLiteral("pids")));
        QVERIFY(pidFile.open(QIODevice::ReadOnly));
        QList<qint64> pids;
        for (const QByteArray& line : pidFile.readAll().split('\n')) {
            const QList<QByteArray> fields = line.split(' ');
            if (fields.size() >= 2) pids << fields.at(1).toLongLong();
        }
        QCOMPARE(pids.size(), 3);  // etcd, kube-apiserver, watchdog
        for (qint64 pid : pids) QVERIFY(processAlive(pid));

        owner.kill();
        QVERIFY(owner.waitForFinished());
        // Generous: the watchdog polls every second and kube-apiserver takes a few seconds to shut down.
        QElapsedTimer waited;
        waited.start();
        auto anyAlive = [&] { return std::any_of(pids.begin(), pids.end(), processAlive); };
        while (anyAlive() && waited.elapsed() < 90'000) QThread::msleep(200);
        for (qint64 pid : pids) QVERIFY2(!processAlive(pid), qPrintable(QStringLiteral("pid %1 still runs").arg(pid)));
        qInfo("watchdog stopped the orphaned server within %.1f s", waited.elapsed() / 1000.0);
    }

    void stopLeavesNoProcessBehind() {
        const QList<qint64> pids = m_kube.pids();
        QCOMPARE(pids.size(), 3);  // etcd, kube-apiserver, watchdog
        for (qint64 pid : pids) QVERIFY(processAlive(pid));
        const QString admin = m_kube.kubeconfig(QStringLiteral("admin-cert"));
        m_kube.stop();
        QVERIFY(!m_kube.isRunning());
        for (qint64 pid : pids) QVERIFY2(!processAlive(pid), qPrintable(QStringLiteral("pid %1 still runs").arg(pid)));
        QVERIFY(!QFile::exists(admin));  // the state directory is gone too
    }

    void cleanupTestCase() { m_kube.stop(); }

private:
    KubeServer m_kube;
};

QTEST_GUILESS_MAIN(KubeHarnessTest)
#include "kube_harness_test.moc"
