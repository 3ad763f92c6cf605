// RequestMirror copies in the proxy (Gateway API, ../shared/gateway.md §4), with real sockets on 127.0.0.1: the mirror
// backend gets the request as the primary backend gets it (method, rewritten path, Host, headers, body; plain and
// chunked) while the client gets the primary's answer; a mirror that refuses connections, never answers or does not
// read changes nothing for the client, gives one MirrorFailed event per copy and leaves no connection open; the
// percent is honoured (binomial bound, never a timing assertion). Decisions come from a stand-in router
// (ProxyServer::setRouterForTest); tests/core/gateway/gateway_mirror_test.cpp covers the router's side.
#include <QTest>

#include <curl/curl.h>

#include <cmath>
#include <memory>

#include "core/proxy/proxy_server.h"
#include "proxy_test_support.h"

using namespace ilab;
using namespace ilab::testing;
using routing::Decision;
using routing::Endpoint;

namespace {

std::shared_ptr<const std::vector<Endpoint>> endpointsAt(std::initializer_list<int> ports) {
    auto eps = std::make_shared<std::vector<Endpoint>>();
    for (int p : ports) eps->push_back(Endpoint{"127.0.0.1", p, "pod-" + std::to_string(p)});
    return eps;
}

// The primary backend at `primary`, copies to `mirror` for `percent` % of requests (the decision's own fields as
// the gateway router fills them: a rewritten path and Host, a header set and one removed).
Decision mirrored(int primary, int mirror, std::uint32_t percent = 100) {
    Decision d;
    d.action = Decision::Action::Proxy;
    d.status = 0;
    d.ingress = "default/mirror-route";
    d.backend = routing::BackendRef{"default", "primary", "80", 80, "default-primary-80"};
    d.endpoints = endpointsAt({primary});
    d.upstreamPath = "/rewritten/x?q=1";
    d.upstreamHost = "rewritten.example";
    d.upstreamHeaders = {{"Host", "rewritten.example"}, {"X-Set", "set-by-route"}};
    d.upstreamHeadersRemoved = {"X-Remove"};
    d.timeouts.connectMs = 1000;
    d.timeouts.readMs = 1500;
    routing::MirrorTarget t;
    t.backend = routing::BackendRef{"default", "shadow", "8080", 8080, "default-shadow-8080"};
    t.endpoints = endpointsAt({mirror});
    t.numerator = percent;
    d.mirrors.push_back(t);
    return d;
}

template <typename F>
bool eventually(F done) {  // a generous cap against hanging, never a pass/fail criterion by itself
    for (int i = 0; i < 3000; ++i) {
        if (done()) return true;
        QTest::qWait(10);
    }
    return done();
}

struct Proxy {
    std::shared_ptr<RecordingSink> sink = std::make_shared<RecordingSink>();
    std::unique_ptr<proxy::ProxyServer> server;
    explicit Proxy(std::function<Decision(const routing::RequestView&)> route, proxy::ProxyConfig cfg = {}) {
        cfg.httpPort = 0;
        cfg.httpsPort = -1;
        cfg.workerThreads = 1;
        server = std::make_unique<proxy::ProxyServer>(cfg, sink);
        server->setRouterForTest({std::move(route), {}});
        auto r = server->start();
        if (!r) qFatal("proxy start failed: %s", r.message().c_str());
    }
    int port() const { return server->httpPort(); }
    // Waits (without a deadline that decides anything: a generous cap only against hanging) until `n` copies are
    // reported finished, answered or failed or not sampled.
    bool waitForMirrors(std::size_t n) {
        for (int i = 0; i < 3000; ++i) {
            if (sink->mirrorsCopy().size() >= n) return true;
            QTest::qWait(10);
        }
        return false;
    }
    bool waitNoMirrorInFlight() {
        for (int i = 0; i < 3000; ++i) {
            if (server->stats().mirrorsInFlight == 0) return true;
            QTest::qWait(10);
        }
        return false;
    }
};

struct CurlAnswer {
    long status = 0;
    std::string body;
    std::string error;
};

std::size_t collect(char* p, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(p, size * n);
    return size * n;
}

// One request with libcurl (its own connection).
CurlAnswer curlRequest(int port, const std::string& method, const std::string& path, const std::vector<std::string>& headers,
                       const std::string& body, long timeoutSeconds = 120) {
    CurlAnswer a;
    CURL* c = curl_easy_init();
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
    curl_slist* list = nullptr;
    for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    if (!body.empty()) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, long(body.size()));
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeoutSeconds);  // against hanging only
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) a.error = curl_easy_strerror(rc);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return a;
}

// Headers as the backend saw them, without the ones that legitimately differ between the copy and the original.
proxy::HttpHeaders comparable(const proxy::HttpHeaders& h) {
    proxy::HttpHeaders out;
    for (const auto& [k, v] : h)
        if (strcasecmp(k.c_str(), "connection") != 0) out.emplace_back(k, v);
    return out;
}

}  // namespace

class MirrorTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    void cleanupTestCase() { curl_global_cleanup(); }
    void copyHasTheRequestAndTheClientGetsThePrimary();
    void chunkedBodyIsCopied();
    void refusedMirrorChangesNothingForTheClient();
    void silentMirrorChangesNothingForTheClient();
    void mirrorThatDoesNotReadIsDropped();
    void clientLeavingMidBodyDropsTheCopy();
    void percentIsHonoured();
};

void MirrorTest::copyHasTheRequestAndTheClientGetsThePrimary() {
    TestUpstream primary("primary"), mirror("mirror");
    Proxy p([&](const routing::RequestView&) { return mirrored(primary.port(), mirror.port()); });
    const std::string body = "{\"order\": 42, \"note\": \"copy me\"}";
    const CurlAnswer a = curlRequest(p.port(), "PUT", "/orders/x?q=1",
                                     {"Host: shop.example", "X-Keep: kept", "X-Remove: gone", "X-Set: from-client",
                                      "Content-Type: application/json"},
                                     body);
    QVERIFY2(a.error.empty(), a.error.c_str());
    QCOMPARE(a.status, 200L);
    // The client's answer is the primary's (the echo names the request it got).
    QVERIFY2(a.body.rfind("PUT /rewritten/x?q=1\n", 0) == 0, a.body.c_str());
    QVERIFY(p.waitForMirrors(1));
    const auto rec = p.sink->mirrorsCopy().at(0);
    QCOMPARE(rec.result, proxy::MirrorRecord::Result::Answered);
    QCOMPARE(rec.status, 200);
    QCOMPARE(rec.ingress, std::string("default/mirror-route"));
    QCOMPARE(rec.upstreamName, std::string("default-shadow-8080"));
    QCOMPARE(rec.endpoint, "127.0.0.1:" + std::to_string(mirror.port()));

    const auto got = mirror.received();
    const auto orig = primary.received();
    QCOMPARE(got.size(), std::size_t(1));
    QCOMPARE(orig.size(), std::size_t(1));
    const auto& copy = got[0];
    QCOMPARE(copy.method, std::string("PUT"));
    QCOMPARE(copy.target, std::string("/rewritten/x?q=1"));
    QCOMPARE(copy.header("Host"), std::string("rewritten.example"));
    QCOMPARE(copy.header("X-Set"), std::string("set-by-route"));
    QCOMPARE(copy.header("X-Keep"), std::string("kept"));
    QVERIFY(copy.header("X-Remove").empty());
    QCOMPARE(copy.header("Content-Type"), std::string("application/json"));
    QCOMPARE(copy.header("Content-Length"), std::to_string(body.size()));
    QCOMPARE(copy.header("Connection"), std::string("close"));
    QCOMPARE(copy.body, body);
    // Exactly what the primary got, header for header (same X-Request-ID too), apart from Connection.
    QCOMPARE(copy.method, orig[0].method);
    QCOMPARE(copy.target, orig[0].target);
    QCOMPARE(copy.body, orig[0].body);
    QVERIFY(comparable(copy.headers) == comparable(orig[0].headers));
    QVERIFY(p.waitNoMirrorInFlight());
    QCOMPARE(p.sink->eventCount("MirrorFailed"), std::size_t(0));
}

void MirrorTest::chunkedBodyIsCopied() {
    TestUpstream primary("primary"), mirror("mirror");
    Proxy p([&](const routing::RequestView&) { return mirrored(primary.port(), mirror.port()); });
    RawClient c(p.port());
    QVERIFY(c.send("POST /upload HTTP/1.1\r\nHost: shop.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "5\r\nhello\r\n"));
    QTest::qWait(50);  // the second chunk arrives later: the copy is streamed, not sent at the end
    QVERIFY(c.send("7\r\n mirror\r\n0\r\n\r\n"));
    const HttpResponse r = c.readResponse();
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("X-Pod"), std::string("primary"));
    QVERIFY(p.waitForMirrors(1));
    QCOMPARE(p.sink->mirrorsCopy().at(0).result, proxy::MirrorRecord::Result::Answered);
    const auto got = mirror.received();
    QCOMPARE(got.size(), std::size_t(1));
    QCOMPARE(got[0].method, std::string("POST"));
    QCOMPARE(got[0].body, std::string("hello mirror"));
    QCOMPARE(got[0].header("Transfer-Encoding"), std::string("chunked"));
    QCOMPARE(primary.received().at(0).body, std::string("hello mirror"));
}

void MirrorTest::refusedMirrorChangesNothingForTheClient() {
    TestUpstream primary("primary");
    const RefusingPort refusing;
    const int refused = refusing.port();
    Proxy p([&](const routing::RequestView&) { return mirrored(primary.port(), refused); });
    RawClient c(p.port());
    constexpr int N = 20;
    for (int i = 0; i < N; ++i) {
        QVERIFY(c.send("GET /r/" + std::to_string(i) + " HTTP/1.1\r\nHost: shop.example\r\n\r\n"));
        const HttpResponse r = c.readResponse();
        QVERIFY(r.complete);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("X-Pod"), std::string("primary"));
        QVERIFY2(r.body.rfind("GET /rewritten/x?q=1\n", 0) == 0, r.body.c_str());
    }
    QVERIFY(p.waitForMirrors(N));
    for (const auto& m : p.sink->mirrorsCopy()) {
        QCOMPARE(m.result, proxy::MirrorRecord::Result::Failed);
        QVERIFY2(m.detail.find("connect() failed") != std::string::npos, m.detail.c_str());
    }
    // One event per copy, naming the route, the mirror and the request, and saying the client is unaffected.
    QCOMPARE(p.sink->eventCount("MirrorFailed"), std::size_t(N));
    QVERIFY(p.sink->hasEvent("Warning MirrorFailed RequestMirror copy of \"GET /rewritten/x?q=1\" to default-shadow-8080 at 127.0.0.1:" +
                             std::to_string(refused) + " failed: connect() failed"));
    QVERIFY(p.sink->hasEvent("the client's response is not affected"));
    QVERIFY(p.waitNoMirrorInFlight());
    QCOMPARE(p.server->stats().mirrorFailures, std::uint64_t(N));
    QCOMPARE(primary.requests.load(), N);
}

void MirrorTest::silentMirrorChangesNothingForTheClient() {
    TestUpstream primary("primary"), silent("silent");
    silent.neverAnswer = true;  // accepts and reads the copies, never answers
    Proxy p([&](const routing::RequestView&) { return mirrored(primary.port(), silent.port()); });
    RawClient c(p.port());
    constexpr int N = 10;
    for (int i = 0; i < N; ++i) {
        QVERIFY(c.send("POST /s HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 4\r\n\r\nbody"));
        const HttpResponse r = c.readResponse();
        QVERIFY(r.complete);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("X-Pod"), std::string("primary"));
    }
    // The copies were all delivered (the silent backend read them) and are still waiting for an answer, or have
    // already given up: the client's answers did not wait for them.
    QVERIFY(p.waitForMirrors(N));  // each ends at the read timeout (1.5 s here)
    for (const auto& m : p.sink->mirrorsCopy()) {
        QCOMPARE(m.result, proxy::MirrorRecord::Result::Failed);
        QVERIFY2(m.detail.find("read timeout") != std::string::npos, m.detail.c_str());
    }
    QCOMPARE(silent.received().size(), std::size_t(N));
    QCOMPARE(silent.received().at(0).body, std::string("body"));
    QCOMPARE(p.sink->eventCount("MirrorFailed"), std::size_t(N));
    QVERIFY(p.waitNoMirrorInFlight());  // no connection left open
}

void MirrorTest::mirrorThatDoesNotReadIsDropped() {
    // A listener that accepts (backlog) but never reads: the copy's body piles up on the proxy's side until the
    // MAX_PENDING bound (or the send timeout) drops it; the client's upload and answer go on regardless.
    int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int small = 4096;
    setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    QCOMPARE(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    QCOMPARE(::listen(lfd, 16), 0);
    socklen_t len = sizeof a;
    getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
    const int stuck = ntohs(a.sin_port);
    TestUpstream primary("primary");
    Proxy p([&](const routing::RequestView&) {
        Decision d = mirrored(primary.port(), stuck);
        d.timeouts.readMs = 60000;  // the upload may take a while on a busy machine; the copy ends long before
        d.timeouts.sendMs = 2000;   // a copy whose bytes stay unread this long is dropped too
        return d;
    });
    // 8 MB: over the 1 MB bound plus what the kernel buffers for a receiver that reads nothing (a few MB on loopback).
    const std::string body(8 * 1024 * 1024, 'b');
    const CurlAnswer r = curlRequest(p.port(), "POST", "/big", {"Host: shop.example"}, body);
    QVERIFY2(r.error.empty(), r.error.c_str());
    QCOMPARE(r.status, 200L);
    QVERIFY2(r.body.find("body-bytes: " + std::to_string(body.size())) != std::string::npos, r.body.c_str());
    QVERIFY(p.waitForMirrors(1));
    const auto m = p.sink->mirrorsCopy().at(0);
    QCOMPARE(m.result, proxy::MirrorRecord::Result::Failed);
    QVERIFY2(m.detail.find("does not read the copy") != std::string::npos || m.detail.find("send timeout") != std::string::npos,
             m.detail.c_str());
    QCOMPARE(p.sink->eventCount("MirrorFailed"), std::size_t(1));
    QVERIFY(p.waitNoMirrorInFlight());
    ::close(lfd);
}

void MirrorTest::clientLeavingMidBodyDropsTheCopy() {
    TestUpstream primary("primary"), mirror("mirror");
    Proxy p([&](const routing::RequestView&) { return mirrored(primary.port(), mirror.port()); });
    {
        RawClient c(p.port());
        QVERIFY(c.send("POST /gone HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 100\r\n\r\nonly ten b"));
        QVERIFY(eventually([&] { return p.server->stats().mirrorsInFlight == 1; }));
    }  // the client closes with 90 bytes of its body unsent
    QVERIFY(p.waitForMirrors(1));
    const auto m = p.sink->mirrorsCopy().at(0);
    QCOMPARE(m.result, proxy::MirrorRecord::Result::Failed);
    QVERIFY2(m.detail.find("ended before its body was complete") != std::string::npos, m.detail.c_str());
    QCOMPARE(p.sink->eventCount("MirrorFailed"), std::size_t(1));
    QVERIFY(p.waitNoMirrorInFlight());
    // A complete copy was never delivered: whatever reached the mirror backend is not a whole request.
    QVERIFY(mirror.received().empty());
    // The client's own exchange ended too (logged as 499, like nginx's "client prematurely closed connection").
    QVERIFY(eventually([&] {
        const auto recs = p.sink->recordsCopy();
        return recs.size() == 1 && recs[0].status == 499;
    }));
}

void MirrorTest::percentIsHonoured() {
    TestUpstream primary("primary"), mirror("mirror");
    Proxy p([&](const routing::RequestView&) { return mirrored(primary.port(), mirror.port(), 50); });
    RawClient c(p.port());
    constexpr int N = 400;
    for (int i = 0; i < N; ++i) {
        QVERIFY(c.send("GET /p HTTP/1.1\r\nHost: shop.example\r\n\r\n"));
        const HttpResponse r = c.readResponse();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("X-Pod"), std::string("primary"));
    }
    QVERIFY(p.waitForMirrors(N));  // every request reports its copy: answered, or not sampled
    int answered = 0, notSampled = 0;
    for (const auto& m : p.sink->mirrorsCopy()) {
        if (m.result == proxy::MirrorRecord::Result::Answered) ++answered;
        else if (m.result == proxy::MirrorRecord::Result::NotSampled) ++notSampled;
    }
    QCOMPARE(answered + notSampled, N);
    QCOMPARE(int(mirror.received().size()), answered);  // each copy sent was received
    // Binomial(400, 0.5): mean 200, sd 10; 4 sd either way.
    QVERIFY2(std::abs(answered - 200) <= 40, std::to_string(answered).c_str());
    QCOMPARE(primary.requests.load(), N);
}

QTEST_GUILESS_MAIN(MirrorTest)
#include "mirror_test.moc"
