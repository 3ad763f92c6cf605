// HttpParser against well-formed and hostile byte streams (style.md E.16): smuggling, oversize, folding, chunks.
#include <QTest>

#include <string>
#include <vector>

#include "core/proxy/http_parser.h"
#include "core/proxy/http_util.h"

using ilab::proxy::HttpParser;
using ilab::proxy::HttpParserListener;

namespace {

struct Recorder : HttpParserListener {
    int headers = 0, complete = 0;
    std::string body;
    int headersRc = 0;
    int onHeadersComplete() override { ++headers; return headersRc; }
    void onBody(const char* d, std::size_t n) override { body.append(d, n); }
    void onMessageComplete() override { ++complete; }
};

// Feeds `bytes` in pieces of `step` (1 = byte by byte), resuming after each message. Returns the final state.
HttpParser::State feed(HttpParser& p, const std::string& bytes, std::size_t step = 0) {
    std::size_t pos = 0;
    if (step == 0) step = bytes.size();
    while (pos < bytes.size()) {
        std::size_t n = std::min(step, bytes.size() - pos);
        std::size_t used = p.execute(bytes.data() + pos, n);
        pos += used;
        if (p.state() == HttpParser::State::Paused) { p.resume(); continue; }
        if (p.state() != HttpParser::State::Ok) return p.state();
        if (used < n) return p.state();
    }
    return p.state();
}

}  // namespace

class HttpParserTest : public QObject {
    Q_OBJECT
private slots:
    void simpleRequestByteByByte() {
        Recorder r;
        HttpParser p(HttpParser::Kind::Request, &r, {});
        std::string req = "GET /a?b=1 HTTP/1.1\r\nHost: x.example\r\nX-Multi: a\r\nX-Multi: b\r\n\r\n";
        QCOMPARE(feed(p, req, 1), HttpParser::State::Ok);
        QCOMPARE(r.headers, 1);
        QCOMPARE(r.complete, 1);
        QCOMPARE(p.method(), std::string("GET"));
        QCOMPARE(p.url(), std::string("/a?b=1"));
        QCOMPARE(p.headers().size(), size_t(3));
        QCOMPARE(p.headers()[2].second, std::string("b"));
        QCOMPARE(*p.header("HOST"), std::string("x.example"));
        QVERIFY(p.keepAlive());
    }

    void pipelinedRequestsPauseBetweenMessages() {
        Recorder r;
        HttpParser p(HttpParser::Kind::Request, &r, {});
        std::string two = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc";
        std::size_t used = p.execute(two.data(), two.size());
        QCOMPARE(p.state(), HttpParser::State::Paused);
        QCOMPARE(r.complete, 1);
        QCOMPARE(two.substr(used, 4), std::string("POST"));
        p.resume();
        std::size_t used2 = p.execute(two.data() + used, two.size() - used);
        QCOMPARE(used + used2, two.size());
        QCOMPARE(r.complete, 2);
        QCOMPARE(r.body, std::string("abc"));
        QCOMPARE(p.method(), std::string("POST"));
    }

    void chunkedBody() {
        Recorder r;
        HttpParser p(HttpParser::Kind::Request, &r, {});
        std::string req = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n";
        QCOMPARE(feed(p, req, 3), HttpParser::State::Ok);
        QVERIFY(p.chunked());
        QCOMPARE(r.body, std::string("abcde"));
        QCOMPARE(r.complete, 1);
    }

    void hostile_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("status");
        QTest::newRow("cl+te") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400;
        QTest::newRow("te+cl") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n") << 400;
        QTest::newRow("dup cl same") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc") << 400;
        QTest::newRow("dup cl differ") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabc") << 400;
        QTest::newRow("cl list") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc") << 400;
        QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n") << 400;
        QTest::newRow("bad chunk size") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n") << 400;
        QTest::newRow("huge chunk size") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nabc\r\n") << 400;
        QTest::newRow("te gzip") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n") << 501;
        // nginx: anything but exactly "chunked" is 501 (ngx_http_process_request_header), a list included.
        QTest::newRow("te not final chunked") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n") << 501;
        QTest::newRow("te chunked twice") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400;
        QTest::newRow("te with http/1.0") << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400;
        QTest::newRow("empty host") << QByteArray("GET / HTTP/1.1\r\nHost:\r\n\r\n") << 400;
        QTest::newRow("host with space") << QByteArray("GET / HTTP/1.1\r\nHost: a b\r\n\r\n") << 400;
        QTest::newRow("%00 in path") << QByteArray("GET /%00 HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        QTest::newRow("truncated escape") << QByteArray("GET /a% HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        QTest::newRow("dot dot above root") << QByteArray("GET /a/../../b HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        QTest::newRow("absolute form bad host") << QByteArray("GET http://a..b/x HTTP/1.1\r\nHost: a\r\n\r\n") << 400;
        QTest::newRow("no host 1.1") << QByteArray("GET / HTTP/1.1\r\nX: y\r\n\r\n") << 400;
        QTest::newRow("two hosts") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400;
        QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nHost : a\r\n\r\n") << 400;
        QTest::newRow("garbage") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) << 400;
        QTest::newRow("bare lf in value") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n") << 400;
        QTest::newRow("http2 version") << QByteArray("GET / HTTP/2.0\r\nHost: a\r\n\r\n") << 505;
        QTest::newRow("negative cl") << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n") << 400;
    }
    void hostile() {
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        for (std::size_t step : {std::size_t(0), std::size_t(1), std::size_t(7)}) {
            Recorder r;
            HttpParser p(HttpParser::Kind::Request, &r, {});
            QCOMPARE(feed(p, bytes.toStdString(), step), HttpParser::State::Error);
            QCOMPARE(p.errorStatus(), status);
            QVERIFY(!p.errorReason().empty());
            QCOMPARE(r.complete, 0);
        }
    }

    void headerLimits() {
        // nginx never answers 431: a head over all its large buffers is its 494 page sent as 400, a request line
        // over one buffer 414, a header line over one buffer 400 (ngx_http_alloc_large_header_buffer).
        Recorder r;
        HttpParser p(HttpParser::Kind::Request, &r, {1024, 100});
        std::string req = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(2000, 'x') + "\r\n\r\n";
        QCOMPARE(feed(p, req, 100), HttpParser::State::Error);
        QCOMPARE(p.errorStatus(), 400);
        QCOMPARE(r.headers, 0);

        Recorder rl;
        HttpParser pl(HttpParser::Kind::Request, &rl, {1 << 20, 100, 512});
        QCOMPARE(feed(pl, "GET / HTTP/1.1\r\nHost: a\r\nX-Line: " + std::string(505, 'x') + "\r\n\r\n", 9), HttpParser::State::Error);
        QCOMPARE(pl.errorStatus(), 400);
        Recorder rl2;
        HttpParser pl2(HttpParser::Kind::Request, &rl2, {1 << 20, 100, 512});
        QCOMPARE(feed(pl2, "GET / HTTP/1.1\r\nHost: a\r\nX-Line: " + std::string(500, 'x') + "\r\n\r\n", 9), HttpParser::State::Ok);
        QCOMPARE(rl2.complete, 1);  // 8 + 500 + 4 = 512: exactly one buffer

        Recorder r2;
        HttpParser p2(HttpParser::Kind::Request, &r2, {1 << 20, 10});
        std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
        for (int i = 0; i < 20; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
        QCOMPARE(feed(p2, many + "\r\n"), HttpParser::State::Error);
        QCOMPARE(p2.errorStatus(), 400);

        Recorder r3;
        HttpParser p3(HttpParser::Kind::Request, &r3, {1024, 100});
        QCOMPARE(feed(p3, "GET /" + std::string(3000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", 10), HttpParser::State::Error);
        QCOMPARE(p3.errorStatus(), 414);
    }

    void nginxRequestChecks() {
        using namespace ilab::proxy;
        // ngx_http_validate_host (nginx 1.27.1)
        for (const char* ok : {"a", "A.Example.COM", "a.example.com.", "a:8080", "[::1]:443", "xn--bcher-kva.de", "a_b"})
            QVERIFY2(validHost(ok), ok);
        for (const char* bad : {"", ".", ":80", "a..b", "a/b", "a\\b", "a b", "a\x7f"}) QVERIFY2(!validHost(bad), bad);
        // ngx_http_parse_complex_uri
        for (const char* ok : {"/", "/a/../b", "/a/./b/", "/%41?x=%00", "/a%2Fb", "*", "/a/b/.."}) QVERIFY2(validRequestPath(ok), ok);
        for (const char* bad : {"/..", "/a/../..", "/%2e%2e", "/%00", "/a%0", "/a%g1"}) QVERIFY2(!validRequestPath(bad), bad);
        std::string_view authority;
        std::string origin;
        QVERIFY(splitAbsoluteForm("http://h.example:81/p?q", &authority, &origin));
        QCOMPARE(std::string(authority), std::string("h.example:81"));
        QCOMPARE(origin, std::string("/p?q"));
        QVERIFY(splitAbsoluteForm("HTTPS://h?q=1", &authority, &origin));
        QCOMPARE(origin, std::string("/?q=1"));
        QVERIFY(!splitAbsoluteForm("/http://x", &authority, &origin));
        QVERIFY(!splitAbsoluteForm("*", &authority, &origin));
        QCOMPARE(checkHeaderName("X-Good-1"), HeaderNameCheck::Valid);
        QCOMPARE(checkHeaderName("X_Under"), HeaderNameCheck::Ignored);
        QCOMPARE(checkHeaderName("Host "), HeaderNameCheck::Invalid);
    }

    void upgradeRequestStopsAtTunnelData() {
        Recorder r;
        HttpParser p(HttpParser::Kind::Request, &r, {});
        std::string req = "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello";
        std::size_t used = p.execute(req.data(), req.size());
        QCOMPARE(p.state(), HttpParser::State::Upgrade);
        QVERIFY(p.upgrade());
        QCOMPARE(req.substr(used), std::string("\x81\x05hello"));
    }

    void responses() {
        // Response delimited by close, a 101, and a HEAD response whose Content-Length has no body.
        Recorder r;
        HttpParser p(HttpParser::Kind::Response, &r, {});
        std::string resp = "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nhello world";
        QCOMPARE(feed(p, resp), HttpParser::State::Ok);
        QCOMPARE(r.complete, 0);
        QVERIFY(p.finish());
        QCOMPARE(r.complete, 1);
        QCOMPARE(r.body, std::string("hello world"));

        Recorder h;
        h.headersRc = 1;
        HttpParser ph(HttpParser::Kind::Response, &h, {});
        std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
        QCOMPARE(ph.execute(head.data(), head.size()), head.size());
        QCOMPARE(ph.state(), HttpParser::State::Paused);
        QCOMPARE(h.complete, 1);

        Recorder u;
        HttpParser pu(HttpParser::Kind::Response, &u, {});
        std::string sw = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nDATA";
        std::size_t used = pu.execute(sw.data(), sw.size());
        QCOMPARE(pu.state(), HttpParser::State::Upgrade);
        QCOMPARE(sw.substr(used), std::string("DATA"));
        QCOMPARE(pu.statusCode(), 101);

        Recorder t;
        HttpParser pt(HttpParser::Kind::Response, &t, {});
        std::string cut = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
        QCOMPARE(feed(pt, cut), HttpParser::State::Ok);
        QVERIFY(!pt.finish());
        QCOMPARE(pt.state(), HttpParser::State::Error);
    }
};

QTEST_GUILESS_MAIN(HttpParserTest)
#include "http_parser_test.moc"
