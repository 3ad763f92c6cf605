#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include "core/controller/local_controller.h"
#include "core/yaml/yaml_reader.h"

using namespace ilab;
using ilab::controller::LocalController;

namespace {

model::Workspace load(const std::string& yaml) {
    model::Workspace ws;
    yaml::readText(yaml, "test.yaml", ws);
    return ws;
}

const std::string INGRESS =
    "apiVersion: networking.k8s.io/v1\n"
    "kind: Ingress\n"
    "metadata: {name: web, namespace: default}\n"
    "spec:\n"
    "  ingressClassName: nginx\n"
    "  rules:\n"
    "  - host: app.example.com\n"
    "    http:\n"
    "      paths:\n"
    "      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n"
    "      - {path: /nosvc, pathType: Prefix, backend: {service: {name: nosvc, port: {number: 80}}}}\n"
    "      - {path: /empty, pathType: Prefix, backend: {service: {name: empty, port: {name: http}}}}\n"
    "---\n"
    "apiVersion: networking.k8s.io/v1\n"
    "kind: Ingress\n"
    "metadata: {name: secure, namespace: default}\n"
    "spec:\n"
    "  ingressClassName: nginx\n"
    "  tls: [{hosts: [secure.example.com], secretName: missing-tls}]\n"
    "  rules:\n"
    "  - host: secure.example.com\n"
    "    http:\n"
    "      paths:\n"
    "      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n";
const std::string SERVICES =
    "---\n"
    "apiVersion: v1\n"
    "kind: Service\n"
    "metadata: {name: web}\n"
    "spec:\n"
    "  selector: {app: web}\n"
    "  ports: [{port: 80, targetPort: 8080}]\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: Service\n"
    "metadata: {name: empty}\n"
    "spec:\n"
    "  selector: {app: nothing}\n"
    "  ports: [{name: http, port: 80}]\n";
std::string deployment(int replicas, const std::string& image = "web:1.2") {
    return "---\n"
           "apiVersion: apps/v1\n"
           "kind: Deployment\n"
           "metadata: {name: web}\n"
           "spec:\n"
           "  replicas: " + std::to_string(replicas) + "\n"
           "  selector:\n"
           "    matchLabels:\n"
           "      app: web\n"
           "  template:\n"
           "    metadata:\n"
           "      labels: {app: web}\n"
           "    spec:\n"
           "      containers: [{name: web, image: " + image + "}]\n";
}

bool hasEvent(const events::EventLog& log, const std::string& type, const std::string& reason, const std::string& object,
              const std::string& messagePart) {
    for (const auto& e : log.eventsSince(0))
        if (e.type == type && e.reason == reason && e.object == object && e.message.find(messagePart) != std::string::npos)
            return true;
    return false;
}

bool logContains(const events::LineLog& log, const std::string& part) {
    for (const auto& l : log.linesSince(0, 100000).lines)
        if (l.find(part) != std::string::npos) return true;
    return false;
}

controller::StartOptions freePorts() {
    controller::StartOptions o;
    o.proxy.httpPort = 0;
    o.proxy.httpsPort = 0;
    o.adminPort = 0;
    return o;
}

// The real curl; the controller runs in this thread, so it must not block: QProcess + signals.
QByteArray curl(const QStringList& args, int* exitCode = nullptr) {
    QProcess p;
    p.start("curl", QStringList{"-s", "--max-time", "10"} + args);
    if (!QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, 15000)) p.kill();
    if (exitCode) *exitCode = p.exitCode();
    return p.readAllStandardOutput();
}

}  // namespace

class LocalControllerTest : public QObject {
    Q_OBJECT
private slots:
    void autoBackendsAddServiceAndPods() {
        std::vector<std::string> added;
        const model::Workspace ws = LocalController::withAutoBackends(load(INGRESS + SERVICES), &added);
        // nosvc: Service + Deployment; web and empty: a Deployment each (their selectors match no pods).
        QCOMPARE(added.size(), size_t(4));
        const model::Service* nosvc = ws.service("default", "nosvc");
        QVERIFY(nosvc);
        QCOMPARE(nosvc->ports.size(), size_t(1));
        QCOMPARE(nosvc->ports[0].port, 80);
        QVERIFY(!ws.deploymentsSelectedBy(*nosvc).empty());
        QVERIFY(!ws.deploymentsSelectedBy(*ws.service("default", "empty")).empty());
        // With pods already there, nothing is added for that Service.
        std::vector<std::string> added2;
        LocalController::withAutoBackends(load(INGRESS + SERVICES + deployment(1)), &added2);
        QCOMPARE(added2.size(), size_t(3));
    }

    void syncEventsReloadsAndTraffic() {
        LocalController c;
        QSignalSpy started(&c, &LocalController::started);
        QSignalSpy failed(&c, &LocalController::startFailed);
        QSignalSpy synced(&c, &LocalController::synced);
        c.setWorkspace(load(INGRESS + SERVICES + deployment(2)));
        c.start(freePorts());
        QCOMPARE(failed.count(), 0);
        QCOMPARE(started.count(), 1);
        const auto info = started.at(0).at(0).value<controller::ReadyInfo>();
        QVERIFY(info.httpPort > 0 && info.httpsPort > 0 && info.adminPort > 0);
        QVERIFY(QString::fromStdString(info.readyLine()).contains(QRegularExpression("^ready http=127\\.0\\.0\\.1:\\d+ https=127\\.0\\.0\\.1:\\d+ admin=127\\.0\\.0\\.1:\\d+$")));
        QCOMPARE(synced.count(), 1);
        QVERIFY(synced.at(0).at(0).value<controller::SyncResult>().reloaded);
        QCOMPARE(c.pods().size(), size_t(2));

        const auto& ev = *c.eventLog();
        QVERIFY(hasEvent(ev, "Normal", "Sync", "Ingress default/web", "Scheduled for sync"));
        QVERIFY(hasEvent(ev, "Warning", "ServiceNotFound", "Ingress default/web", "default/nosvc"));
        QVERIFY(hasEvent(ev, "Warning", "NoActiveEndpoints", "Ingress default/web", "Service default/empty does not have any active Endpoint"));
        QVERIFY(hasEvent(ev, "Warning", "TLSSecretNotFound", "Ingress default/secure", "Using default certificate"));
        QVERIFY(hasEvent(ev, "Normal", "ScalingReplicaSet", "Deployment default/web", "to 2"));
        const auto& log = *c.controllerLog();
        QVERIFY(logContains(log, "controller.go:190] \"Configuration changes detected, backend reload required\""));
        QVERIFY(logContains(log, "\"Backend successfully reloaded\""));
        QVERIFY(logContains(log, "type: 'Normal' reason: 'Sync' Scheduled for sync"));

        // The same workspace again: debounced, compiled, not swapped.
        c.setWorkspace(load(INGRESS + SERVICES + deployment(2)));
        QVERIFY(synced.wait(5000));
        QVERIFY(!synced.last().at(0).value<controller::SyncResult>().reloaded);

        // Real traffic through the proxy to the pods.
        const QString base = QString("http://127.0.0.1:%1").arg(info.httpPort);
        const QByteArray body = curl({"-H", "Host: app.example.com", base + "/hello?x=1"});
        const QJsonObject o = QJsonDocument::fromJson(body).object();
        QCOMPARE(o["service"].toString(), QStringLiteral("web"));
        QCOMPARE(o["path"].toString(), QStringLiteral("/hello?x=1"));
        QCOMPARE(o["version"].toString(), QStringLiteral("1.2"));
        QVERIFY(o["pod"].toString().startsWith("web-"));
        QCOMPARE(curl({"-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: app.example.com", base + "/nosvc"}), QByteArray("503"));
        QTRY_VERIFY_WITH_TIMEOUT(c.accessLog()->lastId() >= 2, 5000);
        const auto lines = c.accessLog()->linesSince(0).lines;
        QVERIFY2(QString::fromStdString(lines[0]).contains(QRegularExpression(
                     "^127\\.0\\.0\\.1 - - \\[.*\\] \"GET /hello\\?x=1 HTTP/1\\.1\" 200 \\d+ \"-\" \"curl/[^\"]+\" \\d+ [0-9.]+ "
                     "\\[default-web-80\\] \\[\\] 127\\.0\\.0\\.1:\\d+ \\d+ [0-9.]+ 200 [0-9a-f]{32}$")),
                 lines[0].c_str());

        // Scale to zero: 503 from the proxy, a new table; and back.
        c.scaleDeployment("default", "web", 0);
        QVERIFY(synced.last().at(0).value<controller::SyncResult>().reloaded);
        QCOMPARE(curl({"-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: app.example.com", base + "/"}), QByteArray("503"));
        QVERIFY(hasEvent(ev, "Warning", "NoActiveEndpoints", "Ingress default/web", "Service default/web does not have any active Endpoint"));
        c.scaleDeployment("default", "web", 3);
        QCOMPARE(curl({"-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: app.example.com", base + "/"}), QByteArray("200"));
        int running = 0;
        for (const auto& p : c.pods()) running += p.phase == backends::PodInfo::Phase::Running;
        QCOMPARE(running, 3);

        // Metrics: snapshots tick each second; /metrics on the admin port.
        QTRY_VERIFY_WITH_TIMEOUT(!c.metrics()->snapshotsSince(0).empty(), 5000);
        const QByteArray prom = curl({QString("http://127.0.0.1:%1/metrics").arg(info.adminPort)});
        QVERIFY2(prom.contains("nginx_ingress_controller_requests{") && prom.contains("status=\"503\""), prom.constData());
        QVERIFY(prom.contains("ilab_simulated_pods 3"));
        QCOMPARE(curl({QString("http://127.0.0.1:%1/healthz").arg(info.adminPort)}), QByteArray("ok"));

        QSignalSpy stopped(&c, &LocalController::stopped);
        c.stop();
        QCOMPARE(stopped.count(), 1);
        QVERIFY(c.pods().empty());
    }

    void killAndRestartPod() {
        LocalController c;
        QSignalSpy started(&c, &LocalController::started);
        c.setWorkspace(load(INGRESS + SERVICES + deployment(1)));
        c.start(freePorts());
        QCOMPARE(started.count(), 1);
        const int port = started.at(0).at(0).value<controller::ReadyInfo>().httpPort;
        const QString url = QString("http://127.0.0.1:%1/").arg(port);
        const std::string pod = c.pods().at(0).name;
        c.killPod(pod);
        // One replica, refused: 502 (retries have nowhere else to go).
        QCOMPARE(curl({"-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: app.example.com", url}), QByteArray("502"));
        QVERIFY(hasEvent(*c.eventLog(), "Normal", "Killing", "Pod default/" + pod, "Stopping container web"));
        c.restartPod(pod);
        QTRY_COMPARE_WITH_TIMEOUT(curl({"-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: app.example.com", url}), QByteArray("200"), 10000);
        QCOMPARE(c.pods().at(0).restarts, 1);
    }

    void portInUseFailsClearly() {
        LocalController a;
        QSignalSpy startedA(&a, &LocalController::started);
        a.setWorkspace(load(INGRESS));
        a.start(freePorts());
        QCOMPARE(startedA.count(), 1);
        const int taken = startedA.at(0).at(0).value<controller::ReadyInfo>().httpPort;
        LocalController b;
        QSignalSpy failed(&b, &LocalController::startFailed);
        controller::StartOptions o = freePorts();
        o.proxy.httpPort = taken;
        b.start(o);
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.at(0).at(0).toString().contains(QString("127.0.0.1:%1").arg(taken)), qPrintable(failed.at(0).at(0).toString()));
        QVERIFY(!b.isRunning());
    }
};

QTEST_GUILESS_MAIN(LocalControllerTest)
#include "local_controller_test.moc"
