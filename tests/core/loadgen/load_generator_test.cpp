// The load generator against real HTTP/HTTPS servers on 127.0.0.1: exact counts, keep-alive reuse, weighted
// mixes, request shaping, --resolve pinning with SNI and certificate checks, dead and slow targets, the open
// model, progress polling and stop().
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "core/loadgen/load_generator.h"
#include "tests/core/loadgen/test_http_server.h"

using namespace ilab::loadgen;
using ilab::testing::TestHttpServer;
using ilab::testing::TestRequest;
using ilab::testing::TestResponse;
using namespace std::chrono_literals;

namespace {

std::string url(int port, const std::string& path = "/") { return "http://127.0.0.1:" + std::to_string(port) + path; }

RequestTarget target(const std::string& u, double share = 1) {
    RequestTarget t;
    t.url = u;
    t.share = share;
    return t;
}

// Runs to completion (bounded wait) and returns the results.
Results runToEnd(LoadConfig cfg) {
    LoadGenerator gen(std::move(cfg));
    auto started = gen.start();
    if (!started) qFatal("start failed: %s", started.message().c_str());
    if (!gen.waitFor(50s)) qFatal("run did not finish");
    return gen.takeResults();
}

TestResponse echoPod(const TestRequest& req) {
    TestResponse r;
    if (req.target.rfind("/b", 0) == 0)
        r.body = ilab::testing::podJson("agent-v2-service", "agent-v2-0", "v2");
    else
        r.body = ilab::testing::podJson("agent-v1-service", "agent-v1-0", "v1");
    return r;
}

}  // namespace

class LoadGeneratorTest : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_cert, m_key;

    SSL_CTX* makeTlsContext() {
        SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
        if (SSL_CTX_use_certificate_file(ctx, m_cert.toLocal8Bit().constData(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx, m_key.toLocal8Bit().constData(), SSL_FILETYPE_PEM) != 1)
            qFatal("cannot load the test certificate");
        return ctx;
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_cert = m_dir.filePath("cert.pem");
        m_key = m_dir.filePath("key.pem");
        QProcess openssl;
        openssl.start("openssl", {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                                  "/CN=api.example.com", "-addext", "subjectAltName=DNS:api.example.com", "-keyout",
                                  m_key, "-out", m_cert});
        QVERIFY(openssl.waitForFinished(30000));
        QCOMPARE(openssl.exitCode(), 0);
    }

    void exactCountsAndKeepAlive() {
        TestHttpServer server(echoPod);
        QVERIFY(server.isListening());
        LoadConfig cfg;
        cfg.targets = {target(url(server.port()))};
        cfg.requests = 500;
        cfg.concurrency = 8;
        const Results r = runToEnd(cfg);
        QCOMPARE(r.total(), uint64_t(500));
        QCOMPARE(r.responses(), uint64_t(500));
        QCOMPARE(r.errors(), uint64_t(0));
        QCOMPARE(r.records().size(), size_t(500));
        QCOMPARE(server.requests(), 500);
        QCOMPARE(r.backendCount("agent-v1-service"), uint64_t(500));
        QCOMPARE(r.statuses().at(200), uint64_t(500));
        QCOMPARE(r.latency().count(), uint64_t(500));
        QVERIFY(r.latency().percentile(0.5) > 0);
        // Keep-alive: one connection per slot, reused for all 500 requests.
        QVERIFY2(server.connections() <= 8, qPrintable(QString::number(server.connections())));
        uint64_t fresh = 0;
        for (const auto& rec : r.records()) fresh += rec.connectUs > 0 ? 1 : 0;
        QVERIFY(fresh <= 8);
        QVERIFY(r.requestsPerSecond() > 0);
    }

    void severalWorkerThreadsAddUp() {
        TestHttpServer server(echoPod);
        LoadConfig cfg;
        cfg.targets = {target(url(server.port(), "/a"), 9), target(url(server.port(), "/b"), 1)};
        cfg.requests = 500;
        cfg.concurrency = 8;
        cfg.threads = 2;
        cfg.progressInterval = 10ms;
        LoadGenerator gen(cfg);
        QVERIFY(gen.start().ok());
        QVERIFY(gen.waitFor(50s));
        const Progress p = gen.progress();
        QVERIFY(p.finished);
        QCOMPARE(p.completed, uint64_t(500));
        QCOMPARE(p.backends.size(), size_t(2));
        QCOMPARE(p.backends[0].count, uint64_t(450));
        uint64_t perSecond = 0;
        for (const auto& s : p.series) perSecond += s.completed;
        QCOMPARE(perSecond, uint64_t(500));
        const Results r = gen.takeResults();
        QCOMPARE(r.total(), uint64_t(500));
        QCOMPARE(server.requests(), 500);
        // Each thread sends 250 = 25 full 9:1 cycles: the mix stays exact.
        QCOMPARE(r.backendCount("agent-v1-service"), uint64_t(450));
        QCOMPARE(r.backendCount("agent-v2-service"), uint64_t(50));
        QCOMPARE(r.records().size(), size_t(500));
        for (size_t i = 1; i < r.records().size(); ++i) QVERIFY(r.records()[i - 1].offsetUs <= r.records()[i].offsetUs);
        QCOMPARE(r.latency().count(), uint64_t(500));
        QVERIFY(server.connections() <= 8);
    }

    void freshConnectionsWithoutKeepAlive() {
        TestHttpServer server(echoPod);
        LoadConfig cfg;
        cfg.targets = {target(url(server.port()))};
        cfg.requests = 40;
        cfg.concurrency = 4;
        cfg.keepAlive = false;
        const Results r = runToEnd(cfg);
        QCOMPARE(r.responses(), uint64_t(40));
        QCOMPARE(server.connections(), 40);
    }

    void weightedMixHasExactShares() {
        TestHttpServer server(echoPod);
        LoadConfig cfg;
        cfg.targets = {target(url(server.port(), "/a"), 9), target(url(server.port(), "/b"), 1)};
        cfg.requests = 1000;
        cfg.concurrency = 8;
        const Results r = runToEnd(cfg);
        int a = 0, b = 0;
        for (const auto& req : server.seen()) (req.target == "/a" ? a : b)++;
        QCOMPARE(a, 900);
        QCOMPARE(b, 100);
        QCOMPARE(r.backendCount("agent-v1-service"), uint64_t(900));
        QCOMPARE(r.backendCount("agent-v2-service"), uint64_t(100));
        int perTarget[2] = {0, 0};
        for (const auto& rec : r.records()) ++perTarget[rec.target];
        QCOMPARE(perTarget[0], 900);
        QCOMPARE(perTarget[1], 100);
        QCOMPARE(QString::fromStdString(r.checkShare({"agent-v2-service", 0.10}).verdict),
                 QString::fromUtf8("10.0 % ± 1.9 % — consistent with 10 %"));
    }

    void methodHeadersCookiesAndBody() {
        TestHttpServer server(echoPod);
        LoadConfig cfg;
        RequestTarget t = target(url(server.port(), "/submit?x=1"));
        t.method = "PUT";
        t.headers = {"X-Canary: always", "Authorization: Bearer abc"};
        t.cookies = {{"canary", "always"}, {"session", "42"}};
        t.body = "{\"k\":\"v\"}";
        t.hasBody = true;
        RequestTarget post = target(url(server.port(), "/post"));
        post.body = "a=b";
        post.hasBody = true;
        RequestTarget head = target(url(server.port(), "/head"));
        head.method = "HEAD";
        cfg.targets = {t, post, head};
        cfg.requests = 3;
        cfg.concurrency = 1;
        const Results r = runToEnd(cfg);
        QCOMPARE(r.responses(), uint64_t(3));
        const auto seen = server.seen();
        QCOMPARE(seen.size(), size_t(3));
        const auto find = [&](const std::string& path) {
            for (const auto& s : seen)
                if (s.target == path) return s;
            return TestRequest{};
        };
        const TestRequest put = find("/submit?x=1");
        QCOMPARE(QString::fromStdString(put.method), QString("PUT"));
        QCOMPARE(QString::fromStdString(put.headers.at("x-canary")), QString("always"));
        QCOMPARE(QString::fromStdString(put.headers.at("authorization")), QString("Bearer abc"));
        QCOMPARE(QString::fromStdString(put.headers.at("cookie")), QString("canary=always; session=42"));
        QCOMPARE(QString::fromStdString(put.body), QString("{\"k\":\"v\"}"));
        QVERIFY(!put.headers.count("expect"));
        const TestRequest p = find("/post");
        QCOMPARE(QString::fromStdString(p.method), QString("POST"));
        QCOMPARE(QString::fromStdString(p.body), QString("a=b"));
        QVERIFY(!p.headers.count("cookie"));
        QCOMPARE(QString::fromStdString(find("/head").method), QString("HEAD"));
    }

    void httpsWithResolvePinningAndSni() {
        SSL_CTX* ctx = makeTlsContext();
        {
            TestHttpServer server(echoPod, ctx);
            const std::string host = "api.example.com:" + std::to_string(server.port());
            LoadConfig cfg;
            cfg.targets = {target("https://" + host + "/version")};
            cfg.resolve = {host + ":127.0.0.1"};
            cfg.caFile = m_cert.toStdString();
            cfg.requests = 50;
            cfg.concurrency = 4;
            const Results r = runToEnd(cfg);
            QCOMPARE(r.errors(), uint64_t(0));
            QCOMPARE(r.responses(), uint64_t(50));
            const auto seen = server.seen();
            QCOMPARE(seen.size(), size_t(50));
            for (const auto& s : seen) {
                QCOMPARE(QString::fromStdString(s.sni), QString("api.example.com"));
                QCOMPARE(QString::fromStdString(s.host), QString::fromStdString(host));
            }
            QVERIFY(server.connections() <= 4);
            // TLS set-up shows in the connect time of the first request per connection.
            bool sawHandshake = false;
            for (const auto& rec : r.records()) sawHandshake |= rec.connectUs > 0;
            QVERIFY(sawHandshake);
        }
        SSL_CTX_free(ctx);
    }

    void tlsVerificationFailureIsCountedAsTls() {
        SSL_CTX* ctx = makeTlsContext();
        {
            TestHttpServer server(echoPod, ctx);
            const std::string host = "api.example.com:" + std::to_string(server.port());
            LoadConfig cfg;
            cfg.targets = {target("https://" + host + "/")};
            cfg.resolve = {host + ":127.0.0.1"};
            cfg.requests = 6;
            cfg.concurrency = 2;
            // Self-signed certificate, system CA store: every request fails verification.
            Results r = runToEnd(cfg);
            QCOMPARE(r.errorCount(ErrorKind::Tls), uint64_t(6));
            QCOMPARE(r.responses(), uint64_t(0));
            QVERIFY(!r.errorMessages().empty());
            // -k: the same server answers.
            cfg.tlsVerify = TlsVerify::Insecure;
            r = runToEnd(cfg);
            QCOMPARE(r.responses(), uint64_t(6));
            // A certificate for another name fails even with the right CA (host name check).
            cfg.tlsVerify = TlsVerify::Verify;
            cfg.caFile = m_cert.toStdString();
            const std::string other = "other.example.com:" + std::to_string(server.port());
            cfg.targets = {target("https://" + other + "/")};
            cfg.resolve = {other + ":127.0.0.1"};
            r = runToEnd(cfg);
            QCOMPARE(r.errorCount(ErrorKind::Tls), uint64_t(6));
        }
        SSL_CTX_free(ctx);
    }

    void deadTargetIsRefusedAndTheRunEnds() {
        LoadConfig cfg;
        cfg.targets = {target(url(ilab::testing::deadPort()))};
        cfg.requests = 20;
        cfg.concurrency = 4;
        const Results r = runToEnd(cfg);
        QCOMPARE(r.total(), uint64_t(20));
        QCOMPARE(r.errorCount(ErrorKind::Refused), uint64_t(20));
        QCOMPARE(r.responses(), uint64_t(0));
        QCOMPARE(r.errorMessages().size(), size_t(1));
        QVERIFY(QString::fromStdString(r.errorMessages()[0].message).contains("onnect"));
        for (const auto& rec : r.records()) QCOMPARE(rec.error, ErrorKind::Refused);
    }

    void unresolvableHostIsDns() {
        LoadConfig cfg;
        cfg.targets = {target("http://no-such-host.invalid/")};
        cfg.requests = 2;
        const Results r = runToEnd(cfg);
        QCOMPARE(r.errorCount(ErrorKind::Dns), uint64_t(2));
    }

    void slowTargetTimesOut() {
        TestHttpServer server([](const TestRequest& req) {
            TestResponse r = echoPod(req);
            r.delay = 20s;
            return r;
        });
        LoadConfig cfg;
        cfg.targets = {target(url(server.port()))};
        cfg.requests = 4;
        cfg.concurrency = 2;
        cfg.timeout = 300ms;
        const Results r = runToEnd(cfg);
        QCOMPARE(r.total(), uint64_t(4));
        QCOMPARE(r.errorCount(ErrorKind::Timeout), uint64_t(4));
        for (const auto& rec : r.records()) QVERIFY(rec.totalUs >= 290'000);
    }

    void backendFromControllerHeader() {
        TestHttpServer server([](const TestRequest&) {
            TestResponse r;
            r.body = "plain text\n";
            r.headers = {"X-Ingress-Lab-Upstream: default/agent-v2-service:80", "X-Ingress-Lab-Pod: agent-v2-1"};
            return r;
        });
        LoadConfig cfg;
        cfg.targets = {target(url(server.port()))};
        cfg.requests = 10;
        const Results r = runToEnd(cfg);
        QCOMPARE(r.backendCount("default/agent-v2-service:80"), uint64_t(10));
        QCOMPARE(QString::fromStdString(r.uniqSummary()), QString("     10 plain text\n"));
    }

    void environmentProxiesAreIgnored() {
        // A proxy from the environment would bypass --resolve pinning; a dead one makes the point visible.
        TestHttpServer server(echoPod);
        const std::string proxy = "http://127.0.0.1:" + std::to_string(ilab::testing::deadPort());
        qputenv("http_proxy", QByteArray::fromStdString(proxy));
        qputenv("HTTP_PROXY", QByteArray::fromStdString(proxy));
        LoadConfig cfg;
        cfg.targets = {target(url(server.port()))};
        cfg.requests = 5;
        const Results r = runToEnd(cfg);
        qunsetenv("http_proxy");
        qunsetenv("HTTP_PROXY");
        QCOMPARE(r.responses(), uint64_t(5));
        QCOMPARE(server.requests(), 5);
    }

    void openModelHonoursTheRate() {
        TestHttpServer server(echoPod);
        LoadConfig cfg;
        cfg.targets = {target(url(server.port()))};
        cfg.rate = 100;
        cfg.duration = 1000ms;
        cfg.concurrency = 8;
        const Results r = runToEnd(cfg);
        // Arrivals are spaced 10 ms apart for 1 s: at most 100, and (barring a stalled machine) close to it.
        QVERIFY2(r.total() <= 100, qPrintable(QString::number(r.total())));
        QVERIFY2(r.total() >= 60, qPrintable(QString::number(r.total())));
        QCOMPARE(uint64_t(server.requests()), r.total());
        // A closed model on the same server is not limited that way.
        cfg.rate = 0;
        cfg.duration = 0ms;
        cfg.requests = 300;
        QCOMPARE(runToEnd(cfg).total(), uint64_t(300));
    }

    void progressIsPublishedAndStopEndsTheRun() {
        TestHttpServer server(echoPod);
        LoadConfig cfg;
        cfg.targets = {target(url(server.port(), "/a"), 1), target(url(server.port(), "/b"), 1)};
        cfg.duration = 60s;
        cfg.concurrency = 4;
        cfg.progressInterval = 20ms;
        LoadGenerator gen(cfg);
        std::atomic<int> finishedCalls{0};
        QVERIFY(gen.start([&] { ++finishedCalls; }).ok());
        QVERIFY(!gen.start().ok());  // a second start is refused
        uint64_t last = 0;
        for (int i = 0; i < 500; ++i) {
            const Progress p = gen.progress();
            QVERIFY(p.completed >= last);
            last = p.completed;
            if (p.completed >= 200 && p.backends.size() == 2) break;
            gen.waitFor(10ms);
        }
        QVERIFY(last >= 200);
        QVERIFY(!gen.isFinished());
        gen.stop();
        QVERIFY(gen.waitFor(10s));
        const Progress done = gen.progress();
        QVERIFY(done.finished);
        QCOMPARE(done.durationSeconds, 60.0);
        QCOMPARE(finishedCalls.load(), 1);
        const Results r = gen.takeResults();
        QCOMPARE(done.completed, r.total());
        // Every completed request reached the server; a cancelled one may or may not have been sent.
        QVERIFY(uint64_t(server.requests()) >= r.total());
        QVERIFY(uint64_t(server.requests()) <= r.total() + r.cancelled());
        QVERIFY(r.cancelled() <= 4);
        QCOMPARE(done.backends.size(), size_t(2));
        QCOMPARE(done.backends[0].count + done.backends[1].count, r.responses());
        QVERIFY(done.seriesSize >= 1);
        QCOMPARE(done.backendNames.size(), size_t(2));
        // Incremental series copy.
        QCOMPARE(gen.progress(done.seriesSize).series.size(), size_t(0));
    }

    void invalidConfigsAreRejected_data() {
        QTest::addColumn<int>("which");
        for (int i = 0; i < 7; ++i) QTest::newRow(qPrintable(QString::number(i))) << i;
    }
    void invalidConfigsAreRejected() {
        QFETCH(int, which);
        LoadConfig cfg;
        cfg.targets = {target("http://127.0.0.1:1/")};
        cfg.requests = 1;
        switch (which) {
        case 0: cfg.targets.clear(); break;
        case 1: cfg.targets[0].url = "ftp://x/"; break;
        case 2: cfg.requests = 0; break;
        case 3: cfg.concurrency = 0; break;
        case 4: cfg.resolve = {"api.example.com:80"}; break;
        case 5: cfg.targets[0].headers = {"NoColon"}; break;
        case 6: cfg.targets[0].share = 0; break;
        }
        LoadGenerator gen(cfg);
        const auto r = gen.start();
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, LoadError::InvalidConfig);
        QVERIFY(!r.message().empty());
    }
};

QTEST_GUILESS_MAIN(LoadGeneratorTest)
#include "load_generator_test.moc"
