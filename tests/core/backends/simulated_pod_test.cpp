#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include "core/backends/pod_manager.h"
#include "core/backends/simulated_pod.h"
#include "core/yaml/yaml_reader.h"

using namespace ilab;
using namespace ilab::backends;

namespace {

struct HttpResponse {
    int status = 0;
    QMap<QByteArray, QByteArray> headers;  // lowercased names
    QByteArray body;
};

// Reads `count` responses (Content-Length framed) from a blocking socket. The pods run on their own thread,
// so blocking waits in the test thread are fine here.
QList<HttpResponse> exchange(int port, const QByteArray& raw, int count, bool* closed = nullptr) {
    QList<HttpResponse> out;
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(port));
    if (!s.waitForConnected(5000)) return out;
    s.write(raw);
    QByteArray buf;
    while (out.size() < count) {
        const qsizetype end = buf.indexOf("\r\n\r\n");
        if (end >= 0) {
            HttpResponse r;
            const QList<QByteArray> lines = buf.left(end).split('\n');
            r.status = lines[0].split(' ').value(1).toInt();
            for (int i = 1; i < lines.size(); ++i) {
                const qsizetype c = lines[i].indexOf(':');
                if (c > 0) r.headers[lines[i].left(c).trimmed().toLower()] = lines[i].mid(c + 1).trimmed();
            }
            const qsizetype len = r.headers.value("content-length", "0").toLongLong();
            if (buf.size() >= end + 4 + len) {
                r.body = buf.mid(end + 4, len);
                buf.remove(0, end + 4 + len);
                out.push_back(r);
                continue;
            }
        }
        if (!s.waitForReadyRead(5000)) break;
        buf += s.readAll();
    }
    if (closed) {
        if (s.state() == QAbstractSocket::ConnectedState) s.waitForDisconnected(2000);
        *closed = s.state() == QAbstractSocket::UnconnectedState;
    }
    return out;
}

HttpResponse get(int port, const QByteArray& path, const QByteArray& host = "example.com") {
    auto r = exchange(port, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nX-Test: 1\r\nConnection: close\r\n\r\n", 1);
    return r.value(0);
}

model::Workspace load(const char* yaml) {
    model::Workspace ws;
    yaml::readText(yaml, "test.yaml", ws);
    return ws;
}

const char* WORKSPACE = "\n"
"apiVersion: apps/v1\n"
"kind: Deployment\n"
"metadata: {name: web, namespace: shop}\n"
"spec:\n"
"  replicas: 2\n"
"  selector: {matchLabels: {app: web}}\n"
"  template:\n"
"    metadata:\n"
"      labels: {app: web}\n"
"    spec:\n"
"      containers:\n"
"      - name: web\n"
"        image: registry.example/web:1.4.2\n"
"        ports: [{name: http, containerPort: 8080}]\n"
"---\n"
"apiVersion: v1\n"
"kind: Service\n"
"metadata: {name: web-svc, namespace: shop}\n"
"spec:\n"
"  selector: {app: web}\n"
"  ports:\n"
"  - {name: http, port: 80, targetPort: http}\n"
"  - {name: other, port: 81, targetPort: metrics}\n"
"  - {name: num, port: 82, targetPort: 9000}\n"
"---\n"
"apiVersion: apps/v1\n"
"kind: Deployment\n"
"metadata: {name: api, namespace: shop}\n"
"spec:\n"
"  replicas: 1\n"
"  selector: {matchLabels: {app: api}}\n"
"  template:\n"
"    metadata:\n"
"      labels: {app: api}\n"
"      annotations:\n"
"        ingress-lab.dev/response.health: '{\"path\": \"/health\", \"status\": 200, \"body\": {\"status\": \"healthy\", \"version\": \"1.0\"}}'\n"
"        ingress-lab.dev/response.down: '{\"path\": \"/down/*\", \"status\": 503, \"body\": \"down\"}'\n"
"        ingress-lab.dev/header.X-Api: \"yes\"\n"
"        ingress-lab.dev/latency-ms: \"30\"\n"
"        ingress-lab.dev/bogus: \"1\"\n"
"    spec:\n"
"      containers: [{name: api, image: api}]\n"
"---\n"
"apiVersion: v1\n"
"kind: Service\n"
"metadata: {name: external, namespace: shop}\n"
"spec:\n"
"  ports: [{name: http, port: 80}]\n"
"---\n"
"apiVersion: v1\n"
"kind: Endpoints\n"
"metadata: {name: external, namespace: shop}\n"
"subsets:\n"
"- addresses: [{ip: 127.0.0.1}, {ip: 10.0.0.9}]\n"
"  ports: [{name: http, port: 3000}]\n";

}  // namespace

class SimulatedPodTest : public QObject {
    Q_OBJECT
private slots:
    void echoOverRealSocket() {
        PodManager pm;
        const model::Workspace ws = load(WORKSPACE);
        auto res = pm.reconcile(PodManager::desiredPods(ws));
        QCOMPARE(res.created.size(), size_t(3));
        const auto pods = pm.pods();
        QCOMPARE(pods.size(), size_t(3));
        const PodInfo* web = nullptr;
        for (const auto& p : pods)
            if (p.deployment == "web") web = &p;
        QVERIFY(web);
        QVERIFY(QString::fromStdString(web->name).contains(QRegularExpression("^web-[bcdfghjklmnpqrstvwxz2456789]{10}-[01]$")));
        QVERIFY(web->port > 0);
        HttpResponse r = get(web->port, "/a/b?x=1&y=%20");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(o["service"].toString(), QStringLiteral("web-svc"));
        QCOMPARE(o["pod"].toString(), QString::fromStdString(web->name));
        QCOMPARE(o["namespace"].toString(), QStringLiteral("shop"));
        QCOMPARE(o["version"].toString(), QStringLiteral("1.4.2"));
        QCOMPARE(o["method"].toString(), QStringLiteral("GET"));
        QCOMPARE(o["path"].toString(), QStringLiteral("/a/b?x=1&y=%20"));
        QCOMPARE(o["host"].toString(), QStringLiteral("example.com"));
        QCOMPARE(o["headers"].toObject()["x-test"].toString(), QStringLiteral("1"));
    }

    void keepAliveAndPipelining() {
        PodManager pm;
        pm.reconcile(PodManager::desiredPods(load(WORKSPACE)));
        int apiPort = 0;
        for (const auto& p : pm.pods())
            if (p.deployment == "api") apiPort = p.port;
        // Three pipelined requests, the first delayed by the pod's latency: answers come back in order.
        bool closed = false;
        auto rs = exchange(apiPort,
                           "GET /first HTTP/1.1\r\nHost: a\r\n\r\n"
                           "POST /health HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                           "GET /down/now HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                           3, &closed);
        QCOMPARE(rs.size(), 3);
        QCOMPARE(QJsonDocument::fromJson(rs[0].body).object()["path"].toString(), QStringLiteral("/first"));
        QCOMPARE(rs[0].headers.value("x-api"), QByteArray("yes"));
        QCOMPARE(rs[1].status, 200);
        QCOMPARE(rs[1].body, QByteArray("{\"status\":\"healthy\",\"version\":\"1.0\"}"));
        QCOMPARE(rs[1].headers.value("content-type"), QByteArray("application/json"));
        QCOMPARE(rs[2].status, 503);
        QCOMPARE(rs[2].body, QByteArray("down"));
        QVERIFY(closed);  // Connection: close honoured
    }

    void malformedRequestGets400() {
        PodManager pm;
        pm.reconcile(PodManager::desiredPods(load(WORKSPACE)));
        const int port = pm.pods().front().port;
        bool closed = false;
        auto rs = exchange(port, "GARBAGE\r\n\r\n", 1, &closed);
        QCOMPARE(rs.size(), 1);
        QCOMPARE(rs[0].status, 400);
        QVERIFY(closed);
    }

    void annotationProblemsReported() {
        PodManager pm;
        auto res = pm.reconcile(PodManager::desiredPods(load(WORKSPACE)));
        QCOMPARE(res.problems.size(), size_t(1));
        QVERIFY(QString::fromStdString(res.problems[0]).contains("ingress-lab.dev/bogus"));
    }

    void behaviorParsing() {
        std::vector<std::string> problems;
        PodBehavior b = parsePodBehavior({{"ingress-lab.dev/status", "418"},
                                          {"ingress-lab.dev/failure-rate", "25%"},
                                          {"ingress-lab.dev/failure-status", "502"},
                                          {"ingress-lab.dev/latency-ms", "-1"},
                                          {"ingress-lab.dev/response.x", "{not json"},
                                          {"other.io/ignored", "x"}},
                                         &problems);
        QCOMPARE(b.status.value_or(0), 418);
        QCOMPARE(b.failureRate, 0.25);
        QCOMPARE(b.failureStatus, 502);
        QCOMPARE(b.latencyMs, 0);
        QCOMPARE(problems.size(), size_t(2));
    }

    void echoJsonEscapesWhatItReceives() {
        SimulatedPod pod(PodIdentity{"web-abc-0", "shop", "web", "web", "2.0"}, PodBehavior{}, 1);
        SimulatedPod::Request req;
        req.method = "GET";
        req.url = "/a?q=\"x\"";
        req.headers = {{"Host", "shop.example.com"},
                       {"X-Quote", "say \"hi\" \\ bye"},
                       {"X-Utf8", "h\xc3\xa9llo \xe2\x82\xac"},
                       {"X-Bad", "a\xff\xc3("},
                       {"X-Ctl", std::string("a\x01b\x7f", 4)},
                       {"X-Dup", "1"},
                       {"x-dup", "2"}};
        const auto r = pod.answer(req);
        QCOMPARE(r.contentType, std::string("application/json"));
        QJsonParseError err;
        const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(r.body), &err).object();
        QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(err.errorString() + "\n" + QString::fromStdString(r.body)));
        QCOMPARE(o["service"].toString(), QStringLiteral("web"));
        QCOMPARE(o["pod"].toString(), QStringLiteral("web-abc-0"));
        QCOMPARE(o["namespace"].toString(), QStringLiteral("shop"));
        QCOMPARE(o["version"].toString(), QStringLiteral("2.0"));
        QCOMPARE(o["path"].toString(), QStringLiteral("/a?q=\"x\""));
        QCOMPARE(o["host"].toString(), QStringLiteral("shop.example.com"));
        const QJsonObject h = o["headers"].toObject();
        QCOMPARE(h["x-quote"].toString(), QStringLiteral("say \"hi\" \\ bye"));
        QCOMPARE(h["x-utf8"].toString(), QString::fromUtf8("h\xc3\xa9llo \xe2\x82\xac"));
        QCOMPARE(h["x-bad"].toString(), QString::fromUtf8("a\xef\xbf\xbd\xef\xbf\xbd("));  // U+FFFD for each bad byte
        QCOMPARE(h["x-ctl"].toString(), QString::fromLatin1("a\x01b\x7f", 4));
        QCOMPARE(h["x-dup"].toString(), QStringLiteral("1, 2"));
        // Keys in a readable order, the way the lesson prints them.
        QVERIFY(r.body.find("\"service\"") < r.body.find("\"pod\""));
        QVERIFY(r.body.find("\"pod\"") < r.body.find("\"headers\""));
    }

    void tlsAnnotation() {
        std::vector<std::string> problems;
        QVERIFY(parsePodBehavior({{"ingress-lab.dev/tls", "true"}}, &problems).tls);
        QVERIFY(!parsePodBehavior({{"ingress-lab.dev/tls", "false"}}, &problems).tls);
        QVERIFY(problems.empty());
        QVERIFY(!parsePodBehavior({{"ingress-lab.dev/tls", "yes"}}, &problems).tls);
        QCOMPARE(problems.size(), size_t(1));
        QVERIFY(QString::fromStdString(problems[0]).contains("must be \"true\" or \"false\""));
    }

    void failureRateAndFixedBody() {
        const char* yaml = "\n"
"apiVersion: apps/v1\n"
"kind: Deployment\n"
"metadata: {name: flaky}\n"
"spec:\n"
"  replicas: 1\n"
"  selector: {matchLabels: {app: flaky}}\n"
"  template:\n"
"    metadata:\n"
"      labels: {app: flaky}\n"
"      annotations:\n"
"        ingress-lab.dev/failure-rate: \"0.5\"\n"
"        ingress-lab.dev/body: \"hello\"\n"
"        ingress-lab.dev/content-type: text/html\n"
"    spec:\n"
"      containers: [{name: c, image: flaky:2}]\n";
        PodManager pm;
        pm.reconcile(PodManager::desiredPods(load(yaml)));
        const int port = pm.pods().front().port;
        QByteArray raw;
        for (int i = 0; i < 200; ++i) raw += "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        auto rs = exchange(port, raw, 200);
        QCOMPARE(rs.size(), 200);
        int failures = 0;
        for (const auto& r : rs) {
            if (r.status == 500) ++failures;
            else {
                QCOMPARE(r.status, 200);
                QCOMPARE(r.body, QByteArray("hello"));
                QCOMPARE(r.headers.value("content-type"), QByteArray("text/html"));
            }
        }
        // Binomial(200, 0.5): mean 100, sd ~7; a 6-sigma band never fails by chance.
        QVERIFY2(failures > 58 && failures < 142, qPrintable(QString::number(failures)));
    }

    void endpointMapResolvesTargetPorts() {
        PodManager pm;
        const model::Workspace ws = load(WORKSPACE);
        pm.reconcile(PodManager::desiredPods(ws));
        const routing::EndpointMap m = pm.endpointMap(ws);
        const auto& http = m.at({"shop", "web-svc", 80});
        QCOMPARE(http.size(), size_t(2));  // both replicas, via the named containerPort "http"
        for (const auto& ep : http) {
            QCOMPARE(ep.address, std::string("127.0.0.1"));
            QVERIFY(ep.port > 0);
            QVERIFY(QString::fromStdString(ep.podName).startsWith("web-"));
        }
        QVERIFY(m.at({"shop", "web-svc", 81}).empty());     // named port "metrics" exists in no container
        QCOMPARE(m.at({"shop", "web-svc", 82}).size(), size_t(2));  // numeric targetPort
        const auto& ext = m.at({"shop", "external", 80});   // no selector: the Endpoints addresses
        QCOMPARE(ext.size(), size_t(2));
        QCOMPARE(ext[0], (routing::Endpoint{"127.0.0.1", 3000, ""}));
        QCOMPARE(ext[1], (routing::Endpoint{"10.0.0.9", 3000, ""}));
    }

    void scaleKillRestart() {
        PodManager pm;
        const model::Workspace ws = load(WORKSPACE);
        pm.reconcile(PodManager::desiredPods(ws));
        QCOMPARE(pm.runningCount(), size_t(3));
        // Scale web to 4, then to 1: names stay stable, surplus pods terminate.
        auto up = pm.reconcile(PodManager::desiredPods(ws, {{"shop/web", 4}}));
        QCOMPARE(up.created.size(), size_t(2));
        QCOMPARE(pm.endpointMap(ws).at({"shop", "web-svc", 80}).size(), size_t(4));
        auto down = pm.reconcile(PodManager::desiredPods(ws, {{"shop/web", 1}}));
        QCOMPARE(down.removed.size(), size_t(3));
        QCOMPARE(pm.endpointMap(ws).at({"shop", "web-svc", 80}).size(), size_t(1));
        // Terminating pods still answer until retired.
        int terminatingPort = 0;
        for (const auto& p : pm.pods())
            if (p.phase == PodInfo::Phase::Terminating) terminatingPort = p.port;
        QVERIFY(terminatingPort > 0);
        QCOMPARE(get(terminatingPort, "/").status, 200);
        pm.retireTerminating(0);
        QCOMPARE(pm.pods().size(), size_t(2));
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(terminatingPort));
        QVERIFY(!probe.waitForConnected(2000));

        // Kill: refused, still listed (Error) and still an endpoint; restart brings it back on the same port.
        const PodInfo web = [&] {
            for (const auto& p : pm.pods())
                if (p.deployment == "web") return p;
            return PodInfo{};
        }();
        QCOMPARE(get(web.port, "/").status, 200);
        QVERIFY(pm.kill(web.name).ok());
        QTcpSocket s2;
        s2.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(web.port));
        QVERIFY(!s2.waitForConnected(2000));
        bool sawError = false;
        for (const auto& p : pm.pods())
            if (p.name == web.name) sawError = p.phase == PodInfo::Phase::Terminated;
        QVERIFY(sawError);
        QCOMPARE(pm.endpointMap(ws).at({"shop", "web-svc", 80}).size(), size_t(1));
        QVERIFY(pm.restart(web.name).ok());
        QCOMPARE(get(web.port, "/").status, 200);
        for (const auto& p : pm.pods())
            if (p.name == web.name) {
                QCOMPARE(p.restarts, 1);
                QCOMPARE(p.port, web.port);
            }
        QVERIFY(!pm.kill("nope").ok());
        // Scale to zero: the Service has no endpoints.
        pm.reconcile(PodManager::desiredPods(ws, {{"shop/web", 0}}));
        QVERIFY(pm.endpointMap(ws).at({"shop", "web-svc", 80}).empty());
    }

    void templateChangeReplacesPods() {
        PodManager pm;
        model::Workspace ws = load(WORKSPACE);
        pm.reconcile(PodManager::desiredPods(ws));
        std::string yaml2 = WORKSPACE;
        yaml2.replace(yaml2.find("web:1.4.2"), 9, "web:1.5.0");
        const model::Workspace ws2 = load(yaml2.c_str());
        auto res = pm.reconcile(PodManager::desiredPods(ws2));
        QCOMPARE(res.created.size(), size_t(2));
        QCOMPARE(res.removed.size(), size_t(2));
        const auto eps = pm.endpointMap(ws2).at({"shop", "web-svc", 80});
        QCOMPARE(eps.size(), size_t(2));
        const HttpResponse r = get(eps[0].port, "/");
        QCOMPARE(QJsonDocument::fromJson(r.body).object()["version"].toString(), QStringLiteral("1.5.0"));
    }
};

QTEST_GUILESS_MAIN(SimulatedPodTest)
#include "simulated_pod_test.moc"
