// Issue 15 must-fix 4: a broken route must not look healthy. The real local controller (free ports) serves a
// path to a working Service, one to a Service that does not exist, one to a Service without endpoints and one to
// a pod slower than proxy-read-timeout; the real load generator (libcurl) sends traffic to all of them. The
// controller's own error answers count as errors, grouped by status and cause, and never as a backend (before
// the fix the 503 page's HTML was listed as a backend and the run had "0 errors"). The CLI prints the same groups.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include "core/controller/local_controller.h"
#include "core/events/access_meta.h"
#include "core/loadgen/error_response.h"
#include "core/loadgen/load_generator.h"
#include "core/yaml/yaml_reader.h"
#include "tests/support/test_paths.h"

using namespace ilab;
using ilab::controller::LocalController;

namespace {

const std::string WORKSPACE = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec:
  ingressClassName: nginx
  rules:
  - host: app.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /missing, pathType: Prefix, backend: {service: {name: agent-missing, port: {number: 80}}}}
      - {path: /empty, pathType: Prefix, backend: {service: {name: empty, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: slow
  namespace: default
  annotations:
    nginx.ingress.kubernetes.io/proxy-read-timeout: "1"
spec:
  ingressClassName: nginx
  rules:
  - host: slow.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: slow, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: empty}
spec:
  selector: {app: nothing}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: slow}
spec:
  selector: {app: slow}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers: [{name: web, image: web:1.0}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: slow}
spec:
  replicas: 1
  selector: {matchLabels: {app: slow}}
  template:
    metadata:
      labels: {app: slow}
      annotations: {ingress-lab.dev/latency-ms: "2500"}
    spec:
      containers: [{name: slow, image: slow:1.0}]
)";

model::Workspace load(const std::string& yaml) {
    model::Workspace ws;
    yaml::readText(yaml, "test.yaml", ws);
    return ws;
}

controller::StartOptions options(bool explain) {
    controller::StartOptions o;
    o.proxy.httpPort = 0;
    o.proxy.httpsPort = -1;
    o.adminPort = -1;
    o.proxy.exposeErrorReason = explain;
    return o;
}

// 300 requests: a third each to the working path, the missing Service and the Service without endpoints (plus
// `slow` requests to the slow pod). The controller runs on this thread: the event loop spins while curl works.
loadgen::Results run(int port, int slow) {
    loadgen::LoadConfig cfg;
    for (const char* path : {"/", "/missing", "/empty"}) {
        loadgen::RequestTarget t;
        t.url = "http://app.example.com:" + std::to_string(port) + path;
        cfg.targets.push_back(t);
    }
    cfg.requests = 300;
    cfg.concurrency = 4;
    cfg.resolve = {"app.example.com:" + std::to_string(port) + ":127.0.0.1"};
    loadgen::LoadGenerator gen(cfg);
    if (!gen.start()) return loadgen::Results();
    if (!QTest::qWaitFor([&] { return gen.isFinished(); }, 60000)) qWarning("the load run did not finish");
    loadgen::Results r = gen.takeResults();
    if (slow > 0) {
        loadgen::LoadConfig s;
        loadgen::RequestTarget t;
        t.url = "http://slow.example.com:" + std::to_string(port) + "/";
        s.targets.push_back(t);
        s.requests = static_cast<uint64_t>(slow);
        s.concurrency = slow;
        s.resolve = {"slow.example.com:" + std::to_string(port) + ":127.0.0.1"};
        loadgen::LoadGenerator slowGen(s);
        if (slowGen.start()) {
            if (!QTest::qWaitFor([&] { return slowGen.isFinished(); }, 60000)) qWarning("the slow run did not finish");
            r.merge(slowGen.takeResults());
        }
    }
    return r;
}

const loadgen::ErrorResponseCount* group(const std::vector<loadgen::ErrorResponseCount>& groups, int status,
                                         const std::string& reason) {
    for (const auto& g : groups)
        if (g.status == status && g.reason == reason) return &g;
    return nullptr;
}

QString describe(const loadgen::Results& r) {
    QString s = QString("responses %1, errorResponses %2, backends:").arg(r.responses()).arg(r.errorResponses());
    for (const auto& b : r.backends()) s += QString(" [%1]=%2").arg(QString::fromStdString(b.name)).arg(b.count);
    s += ", groups:";
    for (const auto& g : r.errorResponseGroups())
        s += QString(" %1/%2/%3=%4").arg(g.status).arg(QString::fromStdString(g.reason), QString::fromStdString(g.detail)).arg(g.count);
    return s;
}

}  // namespace

class ErrorResponsesTest : public QObject {
    Q_OBJECT
private slots:
    void controllerErrorsAreGroupedByCause() {
        LocalController c;
        QSignalSpy started(&c, &LocalController::started);
        c.setWorkspace(load(WORKSPACE));
        c.start(options(true));
        QCOMPARE(started.count(), 1);
        const int port = started.at(0).at(0).value<controller::ReadyInfo>().httpPort;

        const loadgen::Results r = run(port, 2);
        QCOMPARE(r.total(), uint64_t(302));
        QCOMPARE(r.errors(), uint64_t(0));  // every request got an HTTP answer
        // Only the working Service is a backend; the 503 page is not one.
        const auto backends = r.backends();
        QVERIFY2(backends.size() == 1 && backends[0].name == "web" && backends[0].count == 100, qPrintable(describe(r)));
        QCOMPARE(r.backendResponses(), uint64_t(100));
        QCOMPARE(r.errorResponses(), uint64_t(202));
        const auto groups = r.errorResponseGroups();
        const auto* missing = group(groups, 503, "service-not-found");
        QVERIFY2(missing && missing->count == 100, qPrintable(describe(r)));
        QCOMPARE(QString::fromStdString(missing->detail), QString("Service default/agent-missing not found"));
        const auto* empty = group(groups, 503, "no-endpoints");
        QVERIFY2(empty && empty->count == 100, qPrintable(describe(r)));
        const auto* slow = group(groups, 504, "upstream-timeout");
        QVERIFY2(slow && slow->count == 2, qPrintable(describe(r)));
        QCOMPARE(loadgen::errorGroupLabel(503, "service-not-found", {}, false), std::string("503 Service not found"));
        QCOMPARE(loadgen::errorGroupLabel(504, "upstream-timeout", {}, false), std::string("504 upstream timeout"));

        // The share of `web` is of all answered requests: a third, not 100 %.
        QVERIFY(std::abs(r.checkShare({"web", 1.0 / 3}).interval.observed - 1.0 / 3) < 0.01);
        const QJsonObject json = QJsonDocument::fromJson(QByteArray::fromStdString(r.toJson())).object();
        QCOMPARE(json["errorResponses"].toInt(), 202);
        QCOMPARE(json["backends"].toArray().size(), 1);
        bool listed = false;
        for (const auto& v : json["errorResponsesByReason"].toArray())
            listed = listed || (v.toObject()["label"].toString() == "503 Service not found" && v.toObject()["count"].toInt() == 100);
        QVERIFY(listed);

        // The access log's record carries the cause too (the lab's share chart counts it as an error).
        bool logged = false;
        const auto batch = c.accessLog()->linesSince(0, 100000);
        for (const auto& meta : batch.meta) {
            const auto m = events::decodeAccessMeta(meta);
            logged = logged || (m.errorReason == "service-not-found" && m.errorDetail == "Service default/agent-missing not found");
        }
        QVERIFY(logged);
        c.stop();
    }

    void nginxErrorPageWithoutReasonIsStillAnError() {
        // As with a real ingress-nginx: no reason header, only nginx's error page. Still an error, never a backend.
        LocalController c;
        QSignalSpy started(&c, &LocalController::started);
        c.setWorkspace(load(WORKSPACE));
        c.start(options(false));
        QCOMPARE(started.count(), 1);
        const int port = started.at(0).at(0).value<controller::ReadyInfo>().httpPort;
        const loadgen::Results r = run(port, 0);
        QCOMPARE(r.total(), uint64_t(300));
        QCOMPARE(r.backends().size(), size_t(1));
        QCOMPARE(r.errorResponses(), uint64_t(200));
        const auto* page = group(r.errorResponseGroups(), 503, "error-page");
        QVERIFY2(page && page->count == 200, qPrintable(describe(r)));
        c.stop();
    }

    void cliPrintsTheSameGroups() {
        LocalController c;
        QSignalSpy started(&c, &LocalController::started);
        c.setWorkspace(load(WORKSPACE));
        c.start(options(true));
        QCOMPARE(started.count(), 1);
        const QString port = QString::number(started.at(0).at(0).value<controller::ReadyInfo>().httpPort);
        QProcess p;
        p.start(ilab::testing::cliPath(), {"traffic", "-n", "100", "-c", "2", "--resolve",
                                           "app.example.com:" + port + ":127.0.0.1",
                                           "http://app.example.com:" + port + "/missing"});
        QVERIFY(QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, 60000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(out.contains("Backends (0 responses):"), qPrintable(out));
        QVERIFY2(!out.contains("<html>"), qPrintable(out));
        QVERIFY2(out.contains("Errors: 100 (error responses 100)"), qPrintable(out));
        QVERIFY2(out.contains(QRegularExpression("503 Service not found\\s+100\\s+100\\.0 %  Service default/agent-missing not found")),
                 qPrintable(out));
        c.stop();
    }
};

QTEST_MAIN(ErrorResponsesTest)
#include "error_responses_test.moc"
