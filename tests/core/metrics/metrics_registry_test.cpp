#include <thread>

#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include "core/metrics/admin_server.h"
#include "core/metrics/metrics_registry.h"

using namespace ilab;
using namespace ilab::metrics;

namespace {
proxy::AccessRecord rec(int status, double seconds, const std::string& upstream, const std::string& canary = "",
                        const std::string& ingress = "default/web") {
    proxy::AccessRecord r;
    r.status = status;
    r.method = "GET";
    r.requestTimeSec = seconds;
    r.upstreamName = upstream;
    r.upstreamStatus = upstream.empty() ? 0 : status;
    r.upstreamResponseTimeSec = seconds;
    r.upstreamAddr = upstream.empty() ? "-" : "127.0.0.1:1";
    r.canary = canary;
    r.ingress = ingress;
    r.bytesSent = 100;
    r.requestLength = 50;
    return r;
}
}  // namespace

class MetricsRegistryTest : public QObject {
    Q_OBJECT
private slots:
    void histogramQuantiles() {
        LatencyHistogram h;
        QCOMPARE(h.quantileMs(0.5), 0.0);
        for (int i = 1; i <= 100; ++i) h.add(i);  // 1..100 ms
        // Bucket upper bounds are within 20% above the true quantile.
        QVERIFY(h.quantileMs(0.5) >= 50 && h.quantileMs(0.5) <= 60);
        QVERIFY(h.quantileMs(0.9) >= 90 && h.quantileMs(0.9) <= 108);
        QVERIFY(h.quantileMs(0.99) >= 99 && h.quantileMs(0.99) <= 119);
        h.add(1e9);  // beyond the last bucket: clamped, not lost
        QCOMPARE(h.total(), std::uint64_t(101));
    }

    void snapshotPerInterval() {
        MetricsRegistry m(10);
        for (int i = 0; i < 90; ++i) m.onRequest(rec(200, 0.010, "default-web-80", "main"));
        for (int i = 0; i < 10; ++i) m.onRequest(rec(200, 0.100, "default-web-canary-80", "canary"));
        for (int i = 0; i < 5; ++i) m.onRequest(rec(503, 0.001, ""));
        m.onRequest(rec(404, 0.001, "upstream-default-backend", "", ""));
        m.onConnectionOpened(false);
        m.onConnectionOpened(true);
        m.onConnectionClosed(false);
        m.onTlsHandshakeFailed("no shared cipher");
        Snapshot s = m.tick(1000000);
        QCOMPARE(s.requests, std::uint64_t(106));
        QCOMPARE(s.requestsPerSec, 106.0);
        QCOMPARE(s.statusClass[2], std::uint64_t(100));
        QCOMPARE(s.statusClass[4], std::uint64_t(1));
        QCOMPARE(s.statusClass[5], std::uint64_t(5));
        QCOMPARE(s.canaryRequests, std::uint64_t(10));
        QCOMPARE(s.mainRequests, std::uint64_t(90));
        QCOMPARE(s.canaryShare, 0.1);
        QCOMPARE(s.activeConnections, std::uint64_t(1));
        QCOMPARE(s.tlsHandshakeFailures, std::uint64_t(1));
        QCOMPARE(s.backends.size(), size_t(4));  // "-", canary, main, default backend
        const BackendSample* canary = nullptr;
        for (const auto& b : s.backends)
            if (b.upstream == "default-web-canary-80") canary = &b;
        QVERIFY(canary);
        QCOMPARE(canary->requests, std::uint64_t(10));
        QVERIFY(canary->p50Ms >= 100 && canary->p50Ms < 120);
        QVERIFY(s.p99Ms >= 100);
        QVERIFY(s.p50Ms >= 10 && s.p50Ms < 12);

        // The next interval starts empty; rate uses the real interval length.
        for (int i = 0; i < 10; ++i) m.onRequest(rec(200, 0.001, "default-web-80"));
        Snapshot s2 = m.tick(1002000);
        QCOMPARE(s2.requests, std::uint64_t(10));
        QCOMPARE(s2.requestsPerSec, 5.0);
        QCOMPARE(s2.tlsHandshakeFailures, std::uint64_t(0));
        QCOMPARE(s2.canaryShare, 0.0);
        QCOMPARE(m.snapshotsSince(0).size(), size_t(2));
        QCOMPARE(m.snapshotsSince(1000000).size(), size_t(1));
        QCOMPARE(m.totals().requests, std::uint64_t(116));
        // Ring bound.
        for (int i = 0; i < 30; ++i) m.tick(1003000 + i * 1000);
        QCOMPARE(m.snapshotsSince(0).size(), size_t(10));
    }

    void manyThreadsCountExactly() {
        MetricsRegistry m;
        std::vector<std::thread> ts;
        for (int t = 0; t < 4; ++t)
            ts.emplace_back([&m] {
                for (int i = 0; i < 25000; ++i) m.onRequest(rec(i % 10 == 0 ? 500 : 200, 0.002, "default-web-80"));
            });
        for (auto& t : ts) t.join();
        const Snapshot s = m.tick(5000);
        QCOMPARE(s.requests, std::uint64_t(100000));
        QCOMPARE(s.statusClass[5], std::uint64_t(10000));
        QVERIFY(m.prometheusText().find(
                    "nginx_ingress_controller_requests{controller_class=\"k8s.io/ingress-nginx\",controller_namespace=\"ingress-nginx\","
                    "controller_pod=\"ingress-lab\",ingress=\"web\",namespace=\"default\",service=\"web\",method=\"GET\",status=\"500\","
                    "canary=\"\"} 10000\n") != std::string::npos);
    }

    void prometheusText() {
        MetricsRegistry m;
        m.onRequest(rec(200, 0.003, "default-web-80"));
        m.onRequest(rec(200, 0.2, "default-web-80"));
        m.onRequest(rec(200, 0.02, "default-web-canary-80", "canary"));
        m.recordReload(true, 12345, 1700000000000);
        m.setExtraText("ilab_simulated_pods 3\n");
        const QString t = QString::fromStdString(m.prometheusText());
        const QString base = "controller_class=\"k8s.io/ingress-nginx\",controller_namespace=\"ingress-nginx\",controller_pod=\"ingress-lab\","
                             "ingress=\"web\",namespace=\"default\",service=\"web\",method=\"GET\",status=\"200\",canary=\"\"";
        QVERIFY2(t.contains("# TYPE nginx_ingress_controller_requests counter\n"), qPrintable(t));
        QVERIFY(t.contains("nginx_ingress_controller_requests{" + base + "} 2\n"));
        QVERIFY(t.contains("service=\"web-canary\",method=\"GET\",status=\"200\",canary=\"default-web-canary-80\"} 1\n"));
        QVERIFY(t.contains("# TYPE nginx_ingress_controller_request_duration_seconds histogram\n"));
        QVERIFY(t.contains("nginx_ingress_controller_request_duration_seconds_bucket{" + base + ",le=\"0.005\"} 1\n"));
        QVERIFY(t.contains("nginx_ingress_controller_request_duration_seconds_bucket{" + base + ",le=\"0.1\"} 1\n"));
        QVERIFY(t.contains("nginx_ingress_controller_request_duration_seconds_bucket{" + base + ",le=\"0.25\"} 2\n"));
        QVERIFY(t.contains("nginx_ingress_controller_request_duration_seconds_bucket{" + base + ",le=\"+Inf\"} 2\n"));
        QVERIFY(t.contains("nginx_ingress_controller_request_duration_seconds_count{" + base + "} 2\n"));
        QVERIFY(t.contains("nginx_ingress_controller_success{controller_class=\"k8s.io/ingress-nginx\",controller_namespace=\"ingress-nginx\",controller_pod=\"ingress-lab\"} 1\n"));
        QVERIFY(t.contains("nginx_ingress_controller_config_hash{controller_class=\"k8s.io/ingress-nginx\",controller_namespace=\"ingress-nginx\",controller_pod=\"ingress-lab\"} 12345\n"));
        QVERIFY(t.endsWith("ilab_simulated_pods 3\n"));
        // Every sample line is "name{labels} value" or "name value".
        for (const QString& line : t.split('\n', Qt::SkipEmptyParts)) {
            if (line.startsWith('#')) continue;
            QVERIFY2(QRegularExpression("^[a-z_]+(\\{.*\\})? [-+0-9.eInf]+$").match(line).hasMatch(), qPrintable(line));
        }
    }

    void mirrorCopiesCounted() {
        MetricsRegistry m;
        QVERIFY(m.prometheusText().find("ilab_mirror_requests_total") == std::string::npos);  // none: no series
        proxy::MirrorRecord r;
        r.ingress = "shop/orders";
        r.upstreamName = "shop-shadow-8080";
        m.onMirror(r);
        m.onMirror(r);
        r.result = proxy::MirrorRecord::Result::Failed;
        m.onMirror(r);
        r.result = proxy::MirrorRecord::Result::NotSampled;
        m.onMirror(r);
        const QString t = QString::fromStdString(m.prometheusText());
        const QString base = "ilab_mirror_requests_total{controller_class=\"k8s.io/ingress-nginx\",controller_namespace=\"ingress-nginx\","
                             "controller_pod=\"ingress-lab\",ingress=\"orders\",namespace=\"shop\",mirror=\"shop-shadow-8080\",result=";
        QVERIFY2(t.contains("# TYPE ilab_mirror_requests_total counter\n"), qPrintable(t));
        QVERIFY2(t.contains(base + "\"answered\"} 2\n"), qPrintable(t));
        QVERIFY(t.contains(base + "\"failed\"} 1\n"));
        QVERIFY(t.contains(base + "\"not-sampled\"} 1\n"));
    }

    void serviceFromUpstreamName() {
        QCOMPARE(serviceFromUpstream("default", "default-web-80"), std::string("web"));
        QCOMPARE(serviceFromUpstream("default", "default-my-svc-http"), std::string("my-svc"));
        QCOMPARE(serviceFromUpstream("default", "upstream-default-backend"), std::string("upstream-default-backend"));
    }

    void adminServerServesMetricsAndHealthz() {
        MetricsRegistry m;
        m.onRequest(rec(200, 0.003, "default-web-80"));
        AdminServer admin([&m] { return m.prometheusText(); });
        QVERIFY(admin.listen("127.0.0.1", 0).ok());
        QVERIFY(admin.port() > 0);
        auto fetch = [&](const QByteArray& request) {
            QTcpSocket s;
            QByteArray got;
            QObject::connect(&s, &QTcpSocket::connected, [&] { s.write(request); });
            QObject::connect(&s, &QTcpSocket::readyRead, [&] { got += s.readAll(); });
            QSignalSpy closed(&s, &QTcpSocket::disconnected);
            s.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(admin.port()));
            [&] { QTRY_VERIFY_WITH_TIMEOUT(closed.count() > 0, 5000); }();
            got += s.readAll();
            return got;
        };
        const QByteArray metrics = fetch("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY2(metrics.startsWith("HTTP/1.1 200 OK\r\n"), metrics.constData());
        QVERIFY(metrics.contains("Content-Type: text/plain; version=0.0.4"));
        QVERIFY(metrics.contains("nginx_ingress_controller_requests{"));
        const QByteArray health = fetch("GET /healthz HTTP/1.1\r\n\r\n");
        QVERIFY(health.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(health.endsWith("\r\n\r\nok"));
        QVERIFY(fetch("GET /nope HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 404"));
        QVERIFY(fetch("POST /metrics HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 405"));
        QVERIFY(fetch("nonsense\r\n\r\n").startsWith("HTTP/1.1 400"));
        // Port in use: a clear message naming the address.
        AdminServer second([] { return std::string(); });
        auto r = second.listen("127.0.0.1", admin.port());
        QVERIFY(!r.ok());
        QVERIFY(QString::fromStdString(r.message()).contains(QString("127.0.0.1:%1").arg(admin.port())));
    }
};

QTEST_GUILESS_MAIN(MetricsRegistryTest)
#include "metrics_registry_test.moc"
