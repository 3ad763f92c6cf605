// The request-line and header rules nginx (1.27.1, the one ingress-nginx ships) applies before any routing, and
// the keep-alive pool hygiene that keeps one client's request from breaking another's. Real sockets on
// 127.0.0.1; malformed input is written raw (curl normalises it). Sources: nginx src/http/ngx_http_request.c
// (ngx_http_process_request_headers, ngx_http_process_request_header, ngx_http_validate_host,
// ngx_http_alloc_large_header_buffer), ngx_http_parse.c (ngx_http_parse_header_line, ngx_http_parse_complex_uri),
// ngx_http_special_response.c (which errors close the connection), ngx_http_request_body.c (chunk sizes).
#include <QTest>

#include <mutex>

#include "core/proxy/proxy_server.h"
#include "proxy_test_support.h"

using namespace ilab;
using namespace ilab::testing;
using routing::Decision;
using routing::Endpoint;

namespace {

Decision proxyTo(int port) {
    Decision d;
    d.action = Decision::Action::Proxy;
    d.ingress = "default/echo";
    d.backend = routing::BackendRef{"default", "echo", "80", 80, "default-echo-80"};
    d.endpoints = std::make_shared<std::vector<Endpoint>>(std::vector<Endpoint>{{"127.0.0.1", port, "echo-0"}});
    d.timeouts.connectMs = 1000;
    d.timeouts.readMs = 5000;
    // As the real router does (route_table_route.cpp): its own Server header among the response headers.
    d.responseHeaders = {{"Server", "nginx"}};
    return d;
}

struct Proxy {
    std::shared_ptr<RecordingSink> sink = std::make_shared<RecordingSink>();
    std::unique_ptr<proxy::ProxyServer> server;
    explicit Proxy(std::function<Decision(const routing::RequestView&)> route, proxy::ProxyConfig cfg = {}) {
        cfg.httpPort = 0;
        cfg.httpsPort = -1;
        cfg.workerThreads = 1;  // one worker: one upstream keep-alive pool shared by every client
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

int countHeader(const HttpResponse& r, const char* name) {
    int n = 0;
    for (const auto& [k, v] : r.headers) n += strcasecmp(k.c_str(), name) == 0;
    return n;
}

}  // namespace

class RequestRulesTest : public QObject {
    Q_OBJECT
private slots:
    // Issue 11 item 3: an upgrade request the backend answers with a plain 200 must not leave its upstream
    // connection in the pool (the backend is still in upgrade state there and answers the next request 400).
    void upgradeAnsweredNormallyIsNotPooled() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) { return proxyTo(up.port()); });
        {
            RawClient first(p.port());
            QVERIFY(first.send(get("/h2c", "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n")));
            HttpResponse r = first.readResponse();
            QCOMPARE(r.status, 200);
        }
        RawClient second(p.port());
        QVERIFY(second.send(get("/next")));
        HttpResponse r = second.readResponse();
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.rfind("GET /next\n", 0) == 0, r.body.c_str());
        QCOMPARE(up.connections.load(), 2);  // a fresh upstream connection, not the one that asked to upgrade
        // Ordinary requests keep reusing their connection.
        QVERIFY(second.send(get("/again")));
        QCOMPARE(second.readResponse().status, 200);
        QCOMPARE(up.connections.load(), 2);
    }

    void rejected_data() {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        const QByteArray longName = "X-Long: " + QByteArray(8200, 'v');
        QByteArray manyLines;
        for (int i = 0; i < 5; ++i) manyLines += "X-Fill-" + QByteArray::number(i) + ": " + QByteArray(7000, 'f') + "\r\n";
        // ngx_http_parse_header_line: a name character <= 0x20 or 0x7f is NGX_HTTP_PARSE_INVALID_HEADER -> 400.
        QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : evil\r\nHost: echo.example\r\n\r\n") << 400;
        QTest::newRow("tab in name") << QByteArray("GET / HTTP/1.1\r\nHost: echo.example\r\nX-A\t: b\r\n\r\n") << 400;
        QTest::newRow("control char in name") << QByteArray("GET / HTTP/1.1\r\nHost: echo.example\r\nX-\x01: b\r\n\r\n") << 400;
        // ngx_http_validate_host: an empty host (or one that is only a port or a dot) is invalid -> 400.
        QTest::newRow("empty host") << QByteArray("GET / HTTP/1.1\r\nHost: \r\n\r\n") << 400;
        QTest::newRow("host only a port") << QByteArray("GET / HTTP/1.1\r\nHost: :8080\r\n\r\n") << 400;
        QTest::newRow("host with slash") << QByteArray("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n") << 400;
        QTest::newRow("host with dot dot") << QByteArray("GET / HTTP/1.1\r\nHost: a..b\r\n\r\n") << 400;
        QTest::newRow("invalid request-line host") << QByteArray("GET http://a..b/x HTTP/1.1\r\nHost: echo.example\r\n\r\n") << 400;
        // ngx_http_parse_complex_uri: %00 and broken escapes in the path -> 400; ".." above the root -> 400.
        QTest::newRow("%00 in path") << QByteArray("GET /a%00b HTTP/1.1\r\nHost: echo.example\r\n\r\n") << 400;
        QTest::newRow("bad escape in path") << QByteArray("GET /a%zz HTTP/1.1\r\nHost: echo.example\r\n\r\n") << 400;
        QTest::newRow("dot dot above root") << QByteArray("GET /../.. HTTP/1.1\r\nHost: echo.example\r\n\r\n") << 400;
        QTest::newRow("encoded dot dot") << QByteArray("GET /a/%2e%2e/%2E%2E/x HTTP/1.1\r\nHost: echo.example\r\n\r\n") << 400;
        // ngx_http_process_request_header: Transfer-Encoding other than "chunked" -> 501; with HTTP/1.0 -> 400.
        QTest::newRow("te chunked, identity") << QByteArray("POST / HTTP/1.1\r\nHost: echo.example\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n") << 501;
        QTest::newRow("te gzip") << QByteArray("POST / HTTP/1.1\r\nHost: echo.example\r\nTransfer-Encoding: gzip\r\n\r\n") << 501;
        QTest::newRow("http/1.0 with te") << QByteArray("POST / HTTP/1.0\r\nHost: echo.example\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400;
        // large_client_header_buffers 4 8k: a request line longer than one buffer -> 414, a header line -> 400
        // (nginx's 494 "Request Header Or Cookie Too Large" page, sent as 400), all headers over 4 buffers -> 400.
        QTest::newRow("request line over 8k") << QByteArray("GET /" + QByteArray(8200, 'u') + " HTTP/1.1\r\nHost: echo.example\r\n\r\n") << 414;
        QTest::newRow("header line over 8k") << QByteArray("GET / HTTP/1.1\r\nHost: echo.example\r\n" + longName + "\r\n\r\n") << 400;
        QTest::newRow("headers over 32k") << QByteArray("GET / HTTP/1.1\r\nHost: echo.example\r\n" + manyLines + "\r\n") << 400;
    }
    void rejected() {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) { return proxyTo(up.port()); });
        RawClient c(p.port());
        QVERIFY(c.send(request.toStdString()));
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, status);
        QCOMPARE(r.header("Connection"), std::string("close"));
        QVERIFY(c.waitClosed());
        QCOMPARE(up.connections.load(), 0);  // nothing reached the backend
        QTRY_COMPARE(p.sink->recordsCopy().size(), std::size_t(1));
        QCOMPARE(p.sink->recordsCopy().front().status, status);
    }

    void acceptedAtTheLimits() {
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) { return proxyTo(up.port()); });
        RawClient c(p.port());
        // 101 small headers: nginx 1.27.1 has no count limit (newer nginx: max_headers 1000).
        std::string many;
        for (int i = 0; i < 101; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
        QVERIFY(c.send(get("/many", many)));
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.find("X-H100: v\n") != std::string::npos);
        // A header line and a request line just under one 8k buffer, 30 KB of request head in all.
        std::string big = "X-Big: " + std::string(8000, 'b') + "\r\n";
        for (int i = 0; i < 2; ++i) big += "X-Fill-" + std::to_string(i) + ": " + std::string(7000, 'f') + "\r\n";
        QVERIFY(c.send(get("/" + std::string(8000, 'u'), big)));
        r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Connection"), std::string("keep-alive"));
        // A 1.0 request without Transfer-Encoding, "chunked" in any case, escapes that decode to ordinary bytes.
        QVERIFY(c.send("POST /c HTTP/1.1\r\nHost: echo.example\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
        r = c.readResponse();
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.find("body-bytes: 3\n") != std::string::npos);
        QVERIFY(c.send(get("/a%20b/../c%2Fd?x=%00")));  // %00 in the query is not nginx's business
        r = c.readResponse();
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.rfind("GET /a%20b/../c%2Fd?x=%00\n", 0) == 0, r.body.c_str());
        QCOMPARE(up.requests.load(), 4);
    }

    void invalidHeaderNamesAreIgnored() {
        // ignore_invalid_headers on and underscores_in_headers off (ingress-nginx defaults): a name with a
        // character other than letters, digits and '-' is dropped, the request goes on.
        TestUpstream up;
        Proxy p([&](const routing::RequestView&) { return proxyTo(up.port()); });
        RawClient c(p.port());
        QVERIFY(c.send(get("/", "X_Under: 1\r\nX.Dot: 2\r\nX-Fine: 3\r\n")));
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.find("X-Fine: 3\n") != std::string::npos, r.body.c_str());
        QVERIFY2(r.body.find("X_Under") == std::string::npos, r.body.c_str());
        QVERIFY2(r.body.find("X.Dot") == std::string::npos, r.body.c_str());
    }

    void absoluteFormRoutesByItsOwnHost() {
        TestUpstream up;
        std::mutex m;
        std::string seenHost, seenTarget;
        Proxy p([&](const routing::RequestView& rv) {
            std::lock_guard l(m);
            seenHost = rv.host;
            seenTarget = rv.target;
            return proxyTo(up.port());
        });
        RawClient c(p.port());
        QVERIFY(c.send("GET http://Other.Example.com:8080/x?y=1 HTTP/1.1\r\nHost: evil.example\r\n\r\n"));
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 200);
        {
            std::lock_guard l(m);
            QCOMPARE(seenHost, std::string("Other.Example.com:8080"));  // the request line wins over Host
            QCOMPARE(seenTarget, std::string("/x?y=1"));
        }
        QVERIFY2(r.body.rfind("GET /x?y=1\n", 0) == 0, r.body.c_str());  // origin-form upstream
        QVERIFY(c.send("GET https://other.example.com HTTP/1.1\r\nHost: evil.example\r\n\r\n"));
        r = c.readResponse();
        QCOMPARE(r.status, 200);
        std::lock_guard l(m);
        QCOMPARE(seenHost, std::string("other.example.com"));
        QCOMPARE(seenTarget, std::string("/"));
    }

    void declaredChunkOverTheBodyLimitIs413AtOnce() {
        // client_max_body_size: nginx checks each chunk's declared size against what is left (ngx_http_request_body
        // chunked filter) and answers 413 before reading the chunk.
        TestUpstream up;
        proxy::ProxyConfig cfg;
        cfg.bodyTimeoutMs = 60000;
        Proxy p([&](const routing::RequestView&) {
            Decision d = proxyTo(up.port());
            d.maxBodyBytes = 1000;
            return d;
        }, cfg);
        RawClient c(p.port());
        // 600 bytes in a first chunk, then a chunk header announcing 0x1000 more: nothing of it is sent.
        QVERIFY(c.send("POST /up HTTP/1.1\r\nHost: echo.example\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" +
                       std::string(600, 'a') + "\r\n1000\r\n"));
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 413);
        QCOMPARE(r.header("Connection"), std::string("close"));
        QVERIFY(c.waitClosed());
        QCOMPARE(up.requests.load(), 0);
    }

    void oneServerAndOneLocationHeader() {
        TestUpstream up;  // sends its own "Server: test-upstream"
        Proxy p([&](const routing::RequestView& rv) {
            if (rv.target == "/redirect") {
                // As the real router builds a redirect: location plus a Location response header.
                Decision d;
                d.action = Decision::Action::Redirect;
                d.status = 308;
                d.location = "https://echo.example/redirect";
                d.responseHeaders = {{"Server", "nginx"}, {"Location", d.location}};
                return d;
            }
            return proxyTo(up.port());
        });
        RawClient c(p.port());
        QVERIFY(c.send(get("/proxied")));
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 200);
        // the upstream's is hidden (proxy_hide_header default), and with server-tokens "false" (the default)
        // ingress-nginx clears its own too (more_clear_headers Server)
        QCOMPARE(countHeader(r, "Server"), 0);
        QVERIFY(c.send(get("/redirect")));
        r = c.readResponse();
        QCOMPARE(r.status, 308);
        QCOMPARE(countHeader(r, "Location"), 1);
        QCOMPARE(r.header("Location"), std::string("https://echo.example/redirect"));
        QCOMPARE(countHeader(r, "Server"), 0);  // the router's entry is never repeated by the proxy
    }

    void routerRejectionClosesTheConnection() {
        // ngx_http_special_response_handler: 400, 413, 414, 500 and 501 answers end keep-alive, whoever made them.
        Proxy p([&](const routing::RequestView&) {
            Decision d;
            d.action = Decision::Action::Respond;
            d.status = 400;
            return d;
        });
        RawClient c(p.port());
        QVERIFY(c.send(get("/bad") + get("/never-read")));
        HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 400);
        QCOMPARE(r.header("Connection"), std::string("close"));
        QVERIFY(c.waitClosed());
    }
};

QTEST_GUILESS_MAIN(RequestRulesTest)
#include "request_rules_test.moc"
