// ProxyServer with real sockets on 127.0.0.1: keep-alive and pipelining, streaming, WebSocket tunnel, upstream
// failures (502/503/504, retries, passive health), limits (413, 400/414 oversize, 400 smuggling, 408 slow client, rate
// limits), headers sent upstream (semantics.md §15), and 2,000 concurrent connections. Decisions come from a
// stand-in router (ProxyServer::setRouterForTest) so every Decision field can be set exactly.
#include <QTest>

#include <sys/resource.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>

#include "core/proxy/proxy_server.h"
#include "proxy_test_support.h"

using namespace ilab;
using namespace ilab::testing;
using routing::Decision;
using routing::Endpoint;

namespace {

Decision proxyTo(const std::vector<int>& ports, const std::string& upstream = "default-echo-80") {
    Decision d;
    d.action = Decision::Action::Proxy;
    d.status = 0;
    d.ingress = "default/echo";
    d.backend = routing::BackendRef{"default", "echo", "80", 80, upstream};
    auto eps = std::make_shared<std::vector<Endpoint>>();
    int i = 0;
    for (int p : ports) eps->push_back(Endpoint{"127.0.0.1", p, "echo-" + std::to_string(i++)});
    d.endpoints = eps;
    d.timeouts.connectMs = 1000;
    d.timeouts.readMs = 5000;
    return d;
}

struct Proxy {
    std::shared_ptr<RecordingSink> sink = std::make_shared<RecordingSink>();
    std::unique_ptr<proxy::ProxyServer> server;
    explicit Proxy(std::function<Decision(const routing::RequestView&)> route, proxy::ProxyConfig cfg = {}) {
        cfg.httpPort = 0;
        cfg.httpsPort = -1;
        server = std::make_unique<proxy::ProxyServer>(cfg, sink);
        server->setRouterForTest({std::move(route), {}});
        auto r = server->start();
        if (!r) qFatal("proxy start failed: %s", r.message().c_str());
    }
    int port() const { return server->httpPort(); }
};

std::string get(const std::string& target, const std::string& extra = {}) {
    return "GET " + target + " HTTP/1.1\r\nHost: echo.example\r\n" + extra + "\r\n";
}

}  // namespace

class ProxyServerTest : public QObject {
    Q_OBJECT
private slots:
    void keepAliveAndPipelining() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) { return proxyTo({up.port()}); });
        RawClient c(p.port());
        QVERIFY(c.ok());
        // Three pipelined requests in one write, then two more on the same connection.
        QVERIFY(c.send(get("/one") + get("/two") + get("/three")));
        for (const char* path : {"/one", "/two", "/three"}) {
            HttpResponse r = c.readResponse();
            QVERIFY(r.complete);
            QCOMPARE(r.status, 200);
            QVERIFY2(r.body.rfind(std::string("GET ") + path + "\n", 0) == 0, r.body.c_str());
            QVERIFY(r.header("Server").empty());  // ingress-nginx's default server-tokens "false": no Server header
            QCOMPARE(r.header("Connection"), std::string("keep-alive"));
        }
        for (int i = 0; i < 2; ++i) {
            QVERIFY(c.send(get("/again")));
            QCOMPARE(c.readResponse().status, 200);
        }
        // One client connection, sequential requests: the upstream keep-alive pool reused one connection.
        QCOMPARE(up.connections.load(), 1);
        QCOMPARE(up.requests.load(), 5);
        QTRY_COMPARE(p.sink->recordsCopy().size(), size_t(5));
        auto rec = p.sink->recordsCopy().front();
        QCOMPARE(rec.status, 200);
        QCOMPARE(rec.upstreamName, std::string("default-echo-80"));
        QCOMPARE(rec.upstreamAddr, "127.0.0.1:" + std::to_string(up.port()));
        QCOMPARE(rec.podName, std::string("echo-0"));
        QCOMPARE(rec.upstreamStatus, 200);
        QCOMPARE(rec.requestId.size(), size_t(32));
        QCOMPARE(rec.ingress, std::string("default/echo"));
    }

    void requestTimesAreMeasuredBelowAMillisecond() {
        // A loopback upstream answers in well under a millisecond: the times must still be measured (the loop's
        // cached millisecond clock gave 0 for nearly every request, and flat latency charts).
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) { return proxyTo({up.port()}); });
        RawClient c(p.port());
        for (int i = 0; i < 20; ++i) {
            QVERIFY(c.send(get("/t" + std::to_string(i))));
            QCOMPARE(c.readResponse().status, 200);
        }
        QTRY_COMPARE(p.sink->recordsCopy().size(), std::size_t(20));
        for (const auto& rec : p.sink->recordsCopy()) {
            QVERIFY2(rec.requestTimeSec > 0, rec.target.c_str());
            QVERIFY2(rec.upstreamResponseTimeSec > 0, rec.target.c_str());
            QVERIFY(rec.requestTimeSec >= rec.upstreamResponseTimeSec);
        }
    }

    void pipelineBufferIsBounded() {
        // 400 pipelined requests (~40 KB) sent at once while the client reads nothing at first: the proxy
        // stops reading when its queue is full and still answers all of them in order.
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) { return proxyTo({up.port()}); });
        RawClient c(p.port());
        std::string all;
        for (int i = 0; i < 400; ++i) all += get("/n" + std::to_string(i), "X-Pad: " + std::string(60, 'p') + "\r\n");
        std::thread writer([&] { c.send(all); });
        for (int i = 0; i < 400; ++i) {
            HttpResponse r = c.readResponse();
            QCOMPARE(r.status, 200);
            QVERIFY(r.body.rfind("GET /n" + std::to_string(i) + "\n", 0) == 0);
        }
        writer.join();
    }

    void headersSentUpstream() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView& rv) {
            Decision d = proxyTo({up.port()});
            d.upstreamPath = "/rewritten" + rv.target.substr(4);
            d.upstreamHeaders = {{"X-Custom", "yes"}};
            d.upstreamHeadersRemoved = {"Proxy"};
            d.responseHeaders = {{"Access-Control-Allow-Origin", "*"}};
            return d;
        });
        RawClient c(p.port());
        QVERIFY(c.send("GET /api/x?q=1 HTTP/1.1\r\nHost: Echo.Example:8080\r\nX-Forwarded-For: 6.6.6.6\r\n"
                       "X-Request-ID: abc123\r\nProxy: http://evil\r\nConnection: keep-alive, X-Drop\r\n"
                       "X-Drop: gone\r\nX-Keep: kept\r\n\r\n"));
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 200);
        const std::string& b = r.body;
        QVERIFY2(b.rfind("GET /rewritten/x?q=1\n", 0) == 0, b.c_str());
        QVERIFY2(b.find("Host: Echo.Example:8080\n") != std::string::npos, b.c_str());
        QVERIFY(b.find("X-Real-IP: 127.0.0.1\n") != std::string::npos);
        QVERIFY(b.find("X-Forwarded-For: 127.0.0.1\n") != std::string::npos);  // replaced, not appended
        QVERIFY(b.find("X-Original-Forwarded-For: 6.6.6.6\n") != std::string::npos);
        QVERIFY(b.find("X-Request-ID: abc123\n") != std::string::npos);
        QVERIFY(b.find("X-Forwarded-Proto: http\n") != std::string::npos);
        QVERIFY(b.find("X-Forwarded-Host: Echo.Example:8080\n") != std::string::npos);
        QVERIFY(b.find("X-Custom: yes\n") != std::string::npos);
        QVERIFY(b.find("X-Keep: kept\n") != std::string::npos);
        QVERIFY(b.find("Proxy:") == std::string::npos);
        QVERIFY(b.find("X-Drop") == std::string::npos);
        QCOMPARE(r.header("Access-Control-Allow-Origin"), std::string("*"));
        QCOMPARE(r.header("X-Pod"), std::string("pod-a"));
        QVERIFY(r.header("Strict-Transport-Security").empty());  // plain HTTP: no HSTS
        QVERIFY(r.header("X-Ingress-Lab-Upstream").empty());     // off by default
    }

    void exposeUpstreamHeaderFlag() {
        TestUpstream up;
        proxy::ProxyConfig cfg;
        cfg.exposeUpstreamHeader = true;
        Proxy p([&](const routing::RequestView&) { return proxyTo({up.port()}, "default-echo-8080"); }, cfg);
        RawClient c(p.port());
        c.send(get("/"));
        QCOMPARE(c.readResponse().header("X-Ingress-Lab-Upstream"), std::string("default-echo-8080"));
    }

    void streamingChunkedResponse() {
        // The first chunk must reach the client while the upstream still holds the last one.
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) { return proxyTo({up.port()}); });
        RawClient c(p.port());
        c.send(get("/slow"));
        bool sawFirstBeforeLast = false;
        HttpResponse r = c.readResponse([&](const std::string& piece) {
            if (piece.find("first") != std::string::npos) {
                sawFirstBeforeLast = !up.lastChunkSent.load();
                up.releaseSlow();
            }
        });
        QVERIFY(r.complete);
        QVERIFY(sawFirstBeforeLast);
        QCOMPARE(r.header("Transfer-Encoding"), std::string("chunked"));
        QCOMPARE(r.body, std::string("data: firstdata: last"));
        // The connection stays usable.
        c.send(get("/after"));
        QCOMPARE(c.readResponse().status, 200);
    }

    void requestBodiesStreamed() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) { return proxyTo({up.port()}); });
        RawClient c(p.port());
        std::string body(300000, 'b');
        c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.find("body-bytes: 300000\n") != std::string::npos, r.body.c_str());
        c.send("POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        r = c.readResponse();
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.find("Transfer-Encoding: chunked\n") != std::string::npos);
        QVERIFY(r.body.find("body-bytes: 11\n") != std::string::npos);
        // HEAD: Content-Length passes through, no body.
        c.setHead(true);
        c.send("HEAD /big?n=5000 HTTP/1.1\r\nHost: a\r\n\r\n");
        r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Length"), std::string("5000"));
        QVERIFY(r.body.empty());
        c.setHead(false);
        c.send(get("/big?n=2000000"));
        r = c.readResponse();
        QCOMPARE(r.body.size(), size_t(2000000));
    }

    void websocketTunnel() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) { return proxyTo({up.port()}); });
        RawClient c(p.port());
        c.send("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
               "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 101);
        QCOMPARE(r.header("Upgrade"), std::string("websocket"));
        c.send("frame-1");
        QCOMPARE(c.readRaw(7), std::string("frame-1"));
        c.send(std::string(100000, 'w'));
        QCOMPARE(c.readRaw(100000), std::string(100000, 'w'));
    }

    void refusedIs502AndPassiveHealth() {
        int dead = closedPort();
        Proxy p([&](const routing::RequestView&) {
            Decision d = proxyTo({dead});
            d.timeouts.nextUpstreamTries = 1;
            return d;
        });
        RawClient c(p.port());
        c.send(get("/"));
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 502);
        QVERIFY(r.body.find("<title>502 Bad Gateway</title>") != std::string::npos);
        QVERIFY(r.body.find("<center>nginx</center>") != std::string::npos);
        QCOMPARE(r.header("Connection"), std::string("keep-alive"));
        c.send(get("/again"));
        QCOMPARE(c.readResponse().status, 502);
        QTRY_VERIFY(p.server->stats().upstreamFailures >= 2);
        QTRY_COMPARE(p.sink->recordsCopy().size(), size_t(2));
        QCOMPARE(p.sink->recordsCopy()[0].upstreamStatus, 502);
    }

    void retryOnNextEndpoint() {
        TestUpstream good("pod-good");
        int dead = closedPort();
        Proxy p([&](const routing::RequestView&) { return proxyTo({dead, good.port()}); });
        RawClient c(p.port());
        for (int i = 0; i < 4; ++i) {
            c.send(get("/r"));
            HttpResponse r = c.readResponse();
            QCOMPARE(r.status, 200);
            QCOMPARE(r.header("X-Pod"), std::string("pod-good"));
        }
        // POST is not idempotent: never retried; it gets a 502 when it lands on the dead endpoint.
        // Passive health now skips the dead endpoint, so POSTs go to the good one.
        c.send("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
        QCOMPARE(c.readResponse().status, 200);
        QTRY_COMPARE(p.sink->recordsCopy().size(), size_t(5));
        // Round robin starts at the dead endpoint: the first request was retried on the good one.
        auto first = p.sink->recordsCopy().front();
        QCOMPARE(first.upstreamAddr,
                 "127.0.0.1:" + std::to_string(dead) + ", 127.0.0.1:" + std::to_string(good.port()));
        QCOMPARE(first.status, 200);
        QCOMPARE(good.requests.load(), 5);
    }

    void postNotRetried() {
        TestUpstream good("pod-good");
        int dead = closedPort();
        // Only the dead endpoint first, the good one second: a retry would reach it.
        Proxy p([&](const routing::RequestView&) { return proxyTo({dead, good.port()}); });
        RawClient c(p.port());
        c.send("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 502);
        QCOMPARE(good.requests.load(), 0);
    }

    void readTimeoutIs504() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) {
            Decision d = proxyTo({up.port()});
            d.timeouts.readMs = 300;
            d.timeouts.nextUpstreamTries = 1;
            return d;
        });
        RawClient c(p.port());
        c.send(get("/never"));
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 504);
        QVERIFY(r.body.find("504 Gateway Time-out") != std::string::npos);
        up.releaseSlow();
    }

    void resetIs502() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) {
            Decision d = proxyTo({up.port()});
            d.timeouts.nextUpstreamTries = 1;
            return d;
        });
        RawClient c(p.port());
        c.send(get("/reset"));
        QCOMPARE(c.readResponse().status, 502);
    }

    void noEndpoints503AndFallback() {
        TestUpstream fallback("default-backend");
        Proxy p([&](const routing::RequestView& rv) {
            Decision d = proxyTo({});
            if (rv.target == "/fb") {
                d.fallbackBackend = routing::BackendRef{"default", "custom-404", "80", 80, "default-custom-404-80"};
                d.fallbackEndpoints = std::make_shared<std::vector<Endpoint>>(
                    std::vector<Endpoint>{{"127.0.0.1", fallback.port(), "fb-0"}});
            }
            return d;
        });
        RawClient c(p.port());
        c.send(get("/"));
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 503);
        QVERIFY(r.body.find("<title>503 Service Temporarily Unavailable</title>") != std::string::npos);
        c.send(get("/fb"));
        r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("X-Pod"), std::string("default-backend"));
        QVERIFY(r.body.find("X-Code: 503\n") != std::string::npos);
        QVERIFY(r.body.find("X-Service-Name: echo\n") != std::string::npos);
        QVERIFY(r.body.find("X-Ingress-Name: echo\n") != std::string::npos);
    }

    // backend-protocol HTTPS: the upstream is our own proxy terminating TLS (fake certificate) in front of an
    // echo server, so real TLS runs on the upstream leg; requests arrive, and the TLS connection is pooled.
    void httpsUpstream() {
        TestUpstream up;
        proxy::ProxyConfig bcfg;
        bcfg.httpPort = 0;
        bcfg.httpsPort = 0;
        auto bsink = std::make_shared<RecordingSink>();
        proxy::ProxyServer tlsPod(bcfg, bsink);
        tlsPod.setRouterForTest({[&](const routing::RequestView&) { return proxyTo({up.port()}); }, {}});
        QVERIFY(tlsPod.start());
        Proxy p([&](const routing::RequestView&) {
            Decision d = proxyTo({tlsPod.httpsPort()});
            d.backendProtocol = "HTTPS";
            return d;
        });
        RawClient c(p.port());
        for (int i = 0; i < 3; ++i) {
            const std::string target = "/tls/" + std::to_string(i);
            QVERIFY(c.send(get(target)));
            HttpResponse r = c.readResponse();
            QCOMPARE(r.status, 200);
            QVERIFY2(r.body.rfind("GET " + target + "\n", 0) == 0, r.body.c_str());
        }
        QTRY_COMPARE(bsink->recordsCopy().size(), std::size_t(3));
        for (const auto& rec : bsink->recordsCopy()) QCOMPARE(rec.scheme, std::string("https"));
        QCOMPARE(tlsPod.stats().totalConnections, std::uint64_t(1));  // one pooled TLS connection for all three
        QCOMPARE(bsink->handshakeFailureCount(), std::size_t(0));
    }

    void httpsToAPlainHttpUpstreamIs502() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) {
            Decision d = proxyTo({up.port()});
            d.backendProtocol = "HTTPS";
            return d;
        });
        RawClient c(p.port());
        QVERIFY(c.send(get("/x")));
        QCOMPARE(c.readResponse().status, 502);
        QTRY_VERIFY(p.sink->hasEvent("UpstreamFailed SSL_do_handshake() failed"));
        QTRY_COMPARE(p.sink->recordsCopy().size(), std::size_t(1));
        QCOMPARE(p.sink->recordsCopy().front().upstreamStatus, 502);
    }

    void unsupportedBackendProtocolIs502WithAReason() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) {
            Decision d = proxyTo({up.port()});
            d.backendProtocol = "GRPC";
            return d;
        });
        RawClient c(p.port());
        QVERIFY(c.send(get("/helloworld.Greeter/SayHello")));
        QCOMPARE(c.readResponse().status, 502);
        QTRY_VERIFY(p.sink->hasEvent("BackendProtocolUnsupported backend-protocol GRPC is not supported"));
        QCOMPARE(up.requests.load(), 0);  // never sent as plain HTTP/1.1
    }

    void localAnswers() {
        Proxy p([&](const routing::RequestView& rv) {
            Decision d;
            if (rv.target == "/redirect") {
                d.action = Decision::Action::Redirect;
                d.status = 308;
                d.location = "https://echo.example";
            } else if (rv.target == "/preflight") {
                d.action = Decision::Action::Respond;
                d.status = 204;
                d.responseHeaders = {{"Access-Control-Allow-Origin", "*"}, {"Content-Length", "0"}};
            } else {
                d.action = Decision::Action::Respond;
                d.status = 404;
            }
            return d;
        });
        RawClient c(p.port());
        c.send(get("/redirect"));
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 308);
        QCOMPARE(r.header("Location"), std::string("https://echo.example"));
        c.send(get("/preflight"));
        r = c.readResponse();
        QCOMPARE(r.status, 204);
        QCOMPARE(r.header("Access-Control-Allow-Origin"), std::string("*"));
        c.send(get("/nothing"));
        r = c.readResponse();
        QCOMPARE(r.status, 404);
        QVERIFY(r.body.find("<title>404 Not Found</title>") != std::string::npos);
    }

    void bodyTooLarge413() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) {
            Decision d = proxyTo({up.port()});
            d.maxBodyBytes = 1000;
            return d;
        });
        {
            RawClient c(p.port());
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x'));
            HttpResponse r = c.readResponse();
            QCOMPARE(r.status, 413);
            QCOMPARE(r.header("Connection"), std::string("close"));
            QVERIFY(c.waitClosed());
        }
        {
            // Chunked: the limit is crossed while streaming.
            RawClient c(p.port());
            std::string chunks;
            for (int i = 0; i < 5; ++i) chunks += "12c\r\n" + std::string(300, 'y') + "\r\n";
            c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n");
            HttpResponse r = c.readResponse();
            QCOMPARE(r.status, 413);
        }
        {
            RawClient c(p.port());
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'x'));
            QCOMPARE(c.readResponse().status, 200);
        }
        QCOMPARE(up.requests.load(), 1);
    }

    void malformedRequests_data() {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::newRow("cl+te smuggling") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        QTest::newRow("duplicate cl") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc") << 400;
        QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n") << 400;
        QTest::newRow("garbage") << QByteArray("\x01\x02\x03 nonsense\r\n\r\n") << 400;
        QTest::newRow("too large") << (QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX-Big: ") + QByteArray(40000, 'z') + "\r\n\r\n") << 400;
    }
    void malformedRequests() {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) { return proxyTo({up.port()}); });
        RawClient c(p.port());
        c.send(request.toStdString());
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, status);
        QCOMPARE(r.header("Connection"), std::string("close"));
        QVERIFY(c.waitClosed());
        QCOMPARE(up.requests.load(), 0);  // nothing smuggled through
        // The server is fine afterwards.
        RawClient c2(p.port());
        c2.send(get("/ok"));
        QCOMPARE(c2.readResponse().status, 200);
    }

    void slowClientHeaderTimeout() {
        proxy::ProxyConfig cfg;
        cfg.headerTimeoutMs = 300;
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) { return proxyTo({up.port()}); }, cfg);
        RawClient c(p.port());
        c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ");  // never finished
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 408);
        QVERIFY(c.waitClosed());
        // An idle connection that never sends anything is closed too.
        RawClient idle(p.port());
        QVERIFY(idle.waitClosed());
        QTRY_COMPARE(p.server->activeConnections(), std::uint64_t(0));
    }

    void slowClientBodyTimeout() {
        proxy::ProxyConfig cfg;
        cfg.bodyTimeoutMs = 300;
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) { return proxyTo({up.port()}); }, cfg);
        RawClient c(p.port());
        // 10 of 100 announced body bytes, then nothing: 408 and the connection closes (client_body_timeout).
        QVERIFY(c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789"));
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 408);
        QVERIFY(c.waitClosed());
        QTRY_VERIFY(p.sink->hasEvent("ClientBodyTimeout client timed out (300 ms) while reading the request body"));
        // A body that keeps arriving, slower than the timeout overall but never idle that long, goes through.
        RawClient slow(p.port());
        QVERIFY(slow.send("POST /drip HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\n"));
        for (const char* piece : {"ab", "cd", "ef"}) {
            QTest::qWait(150);
            QVERIFY(slow.send(piece));
        }
        HttpResponse ok = slow.readResponse();
        QCOMPARE(ok.status, 200);
        QVERIFY2(ok.body.find("body-bytes: 6") != std::string::npos, ok.body.c_str());
    }

    void rateLimitArithmetic() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView& rv) {
            Decision d = proxyTo({up.port()});
            routing::RateLimitPolicy rl;
            rl.zone = "default_echo";
            rl.rps = 1;
            if (rv.header("x-allow")) rl.allowlist = {"127.0.0.0/8"};
            d.rateLimit = rl;
            return d;
        });
        RawClient c(p.port());
        std::string ten;
        for (int i = 0; i < 10; ++i) ten += get("/rl");
        c.send(ten);
        int ok = 0, limited = 0;
        for (int i = 0; i < 10; ++i) {
            int s = c.readResponse().status;
            if (s == 200) ++ok;
            if (s == 503) ++limited;
        }
        // rps=1, burst multiplier 5: 1 + 5 accepted at once (semantics.md §11.1), unless the test machine
        // stalls for over a second between requests (then one more may pass).
        QVERIFY2(ok >= 6 && ok <= 7, qPrintable(QString::number(ok)));
        QCOMPARE(ok + limited, 10);
        // Allowlisted clients are never limited.
        std::string more;
        for (int i = 0; i < 10; ++i) more += get("/rl", "X-Allow: 1\r\n");
        c.send(more);
        for (int i = 0; i < 10; ++i) QCOMPARE(c.readResponse().status, 200);
    }

    void connectionLimit() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) {
            Decision d = proxyTo({up.port()});
            routing::RateLimitPolicy rl;
            rl.zone = "default_echo";
            rl.connections = 2;
            d.rateLimit = rl;
            return d;
        });
        std::vector<std::unique_ptr<RawClient>> slow;
        for (int i = 0; i < 2; ++i) {
            slow.push_back(std::make_unique<RawClient>(p.port()));
            slow.back()->send(get("/slow"));
        }
        QTRY_COMPARE(up.requests.load(), 2);
        RawClient third(p.port());
        third.send(get("/x"));
        QCOMPARE(third.readResponse().status, 503);
        up.releaseSlow();
        for (auto& s : slow) QCOMPARE(s->readResponse().status, 200);
        third.send(get("/x"));
        QCOMPARE(third.readResponse().status, 200);
    }

    void accessDenied403AfterRateLimit() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) {
            Decision d = proxyTo({up.port()});
            d.accessDeniedStatus = 403;
            return d;
        });
        RawClient c(p.port());
        c.send(get("/"));
        QCOMPARE(c.readResponse().status, 403);
        QCOMPARE(up.requests.load(), 0);
    }

    void affinityCookie() {
        TestUpstream a("pod-a"), b("pod-b");
        Proxy p([&](const routing::RequestView&) {
            Decision d = proxyTo({a.port(), b.port()});
            routing::AffinityPolicy ap;
            ap.path = "/app";
            d.affinity = ap;
            return d;
        });
        RawClient c(p.port());
        c.send(get("/app"));
        HttpResponse r = c.readResponse();
        std::string cookie = r.header("Set-Cookie");
        QVERIFY2(cookie.rfind("INGRESSCOOKIE=", 0) == 0, cookie.c_str());
        QVERIFY(cookie.find("; Path=/app") != std::string::npos);
        QVERIFY(cookie.find("HttpOnly") != std::string::npos);
        QVERIFY(cookie.find("Secure") == std::string::npos);  // plain HTTP
        std::string pod = r.header("X-Pod");
        std::string value = cookie.substr(0, cookie.find(';'));
        for (int i = 0; i < 6; ++i) {
            c.send(get("/app", "Cookie: " + value + "\r\n"));
            HttpResponse again = c.readResponse();
            QCOMPARE(again.header("X-Pod"), pod);
            QVERIFY(again.header("Set-Cookie").empty());
        }
        // Without the cookie: round robin reaches both pods.
        std::set<std::string> pods;
        for (int i = 0; i < 4; ++i) {
            c.send(get("/app"));
            pods.insert(c.readResponse().header("X-Pod"));
        }
        QCOMPARE(pods.size(), size_t(2));
    }

    void manyConcurrentConnections() {
        rlimit rl;
        getrlimit(RLIMIT_NOFILE, &rl);
        rlim_t want = std::min<rlim_t>(rl.rlim_max, 16384);
        if (rl.rlim_cur < want) {
            rl.rlim_cur = want;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        getrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < 9000) QSKIP("RLIMIT_NOFILE too low for 2,000 connections through a proxy");
        TestUpstream up;
        proxy::ProxyConfig cfg;
        cfg.workerThreads = 2;
        // A generous connect timeout: 2,000 connects at once can overflow the test upstream's SYN queue on a
        // loaded machine (a SYN retransmit takes 1 s).
        Proxy p([&](const routing::RequestView&) {
            Decision d = proxyTo({up.port()});
            d.timeouts.connectMs = 10000;
            return d;
        }, cfg);
        const int N = 2000;
        std::vector<std::unique_ptr<RawClient>> clients;
        for (int i = 0; i < N; ++i) {
            clients.push_back(std::make_unique<RawClient>(p.port(), 30000));
            QVERIFY(clients.back()->ok());
        }
        QTRY_COMPARE_WITH_TIMEOUT(p.server->activeConnections(), std::uint64_t(N), 20000);
        for (int i = 0; i < N; ++i) QVERIFY(clients[i]->send(get("/c" + std::to_string(i))));
        int ok = 0;
        for (int i = 0; i < N; ++i) {
            HttpResponse r = clients[i]->readResponse();
            if (r.status == 200 && r.body.rfind("GET /c" + std::to_string(i) + "\n", 0) == 0) ++ok;
            else if (ok + 5 > i) qWarning("request %d: status %d complete %d body %s", i, r.status, r.complete, r.body.substr(0, 200).c_str());
        }
        QCOMPARE(ok, N);
        clients.clear();
        QTRY_COMPARE_WITH_TIMEOUT(p.server->activeConnections(), std::uint64_t(0), 20000);
    }

    void stopWithOpenConnections() {
        TestUpstream up;
        auto p = std::make_unique<Proxy>([&](const routing::RequestView&) { return proxyTo({up.port()}); });
        RawClient c(p->port());
        c.send(get("/slow"));
        QTRY_COMPARE(up.requests.load(), 1);
        p->server->stop();
        QVERIFY(c.waitClosed());
        up.releaseSlow();
        p.reset();
    }

    void listenErrorNamesTheAddress() {
        Proxy first([&](const routing::RequestView&) { return Decision{}; });
        proxy::ProxyConfig cfg;
        cfg.httpPort = first.port();
        cfg.httpsPort = -1;
        proxy::ProxyServer second(cfg, nullptr);
        auto r = second.start();
        QVERIFY(!r);
        QCOMPARE(r.error().code, proxy::ProxyError::ListenFailed);
        QVERIFY2(r.message().find("127.0.0.1:" + std::to_string(first.port())) != std::string::npos, r.message().c_str());
        QVERIFY2(r.message().find("in use") != std::string::npos, r.message().c_str());
    }
};

QTEST_GUILESS_MAIN(ProxyServerTest)
#include "proxy_server_test.moc"
