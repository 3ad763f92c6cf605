// Gateway API RequestMirror through the real `ingress-lab-cli serve --profile gateway` and the real curl: backends are
// servers of this test on 127.0.0.1 (Services without a selector + Endpoints), so what the mirror backend received
// is seen byte for byte. The copy has the primary's method, rewritten path, Host, headers and body while the client
// gets the primary's answer; a mirror that refuses connections or never answers leaves the client's answers as they
// are and gives one MirrorFailed event per copy; percent 50 over 400 requests lands within 4 standard deviations;
// serve exits cleanly with copies still waiting.

#include <QTest>

#include <thread>

#include "core/proxy/proxy_test_support.h"
#include "e2e/serve_harness.h"

using namespace ilab;
using namespace ilab::e2e;

namespace {

QByteArray workspace(int primary, int shadow, int refused, int silent) {
    QByteArray ws = R"(---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: lab
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: mirror}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /copy}}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: X-Set, value: set-by-route}], remove: [X-Remove]}
    - type: URLRewrite
      urlRewrite: {hostname: rewritten.example, path: {type: ReplacePrefixMatch, replacePrefixMatch: /rewritten}}
    - type: RequestMirror
      requestMirror: {backendRef: {name: shadow, port: 8080}}
    backendRefs: [{name: primary, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /refused}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: refused, port: 8080}}}]
    backendRefs: [{name: primary, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /silent}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: silent, port: 8080}}}]
    backendRefs: [{name: primary, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /half}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 8080}, percent: 50}}]
    backendRefs: [{name: primary, port: 80}]
)";
    auto service = [&](const char* name, int svcPort, int target) {
        ws += QStringLiteral("---\napiVersion: v1\nkind: Service\nmetadata: {name: %1}\nspec:\n  ports: [{name: http, port: %2}]\n"
                             "---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: %1}\nsubsets:\n"
                             "- addresses: [{ip: 127.0.0.1}]\n  ports: [{name: http, port: %3}]\n")
                  .arg(QLatin1String(name))
                  .arg(svcPort)
                  .arg(target)
                  .toUtf8();
    };
    service("primary", 80, primary);
    service("shadow", 8080, shadow);
    service("refused", 8080, refused);
    service("silent", 8080, silent);
    return ws;
}

// Polls (a generous cap against hanging; never a pass/fail criterion) until `done` holds.
template <typename F>
bool eventually(F done) {
    for (int i = 0; i < 300; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
}

// ilab_mirror_requests_total of `result` for the shadow Service, from serve's admin listener.
long mirrorCount(const Serve& s, const QString& mirror, const QString& result) {
    const CurlResult r = curl({QStringLiteral("http://127.0.0.1:%1/metrics").arg(s.adminPort)});
    const QRegularExpression re("^ilab_mirror_requests_total\\{.*,mirror=\"" + QRegularExpression::escape(mirror) +
                                    "\",result=\"" + result + "\"\\} (\\d+)$",
                                QRegularExpression::MultilineOption);
    const auto m = re.match(QString::fromUtf8(r.out));
    return m.hasMatch() ? m.captured(1).toLong() : 0;
}

}  // namespace

class GatewayServeMirrorTest : public QObject {
    Q_OBJECT
    testing::TestUpstream m_primary{"primary"}, m_shadow{"shadow"}, m_silent{"silent"};
    // Reserved for the whole test: a port that was merely closed could become serve's own listener, and copies sent
    // to the gateway itself would loop.
    testing::RefusingPort m_refusing;
    int m_refused = 0;
    Serve m_serve;

private slots:
    void initTestCase() {
        m_silent.neverAnswer = true;
        m_refused = m_refusing.port();
        m_serve.writeFile("ws.yaml", workspace(m_primary.port(), m_shadow.port(), m_refused, m_silent.port()));
        QVERIFY(m_serve.start({"ws.yaml"}, {"--profile", "gateway"}));
    }

    void copyHasTheRequestAndTheClientGetsThePrimary() {
        const CurlResult r = curl({"-X", "PUT", "-H", "Host: shop.example", "-H", "X-Keep: kept", "-H", "X-Remove: gone",
                                   "-H", "X-Set: from-client", "-H", "Content-Type: application/json", "--data-binary",
                                   "{\"order\": 42}", m_serve.http("/copy/orders?id=7")});
        QCOMPARE(r.exitCode, 0);
        // The client's answer is the primary's echo of the request it got.
        QVERIFY2(r.out.startsWith("PUT /rewritten/orders?id=7\n"), r.out.constData());
        QVERIFY(eventually([&] { return m_shadow.received().size() >= 1; }));
        const auto copy = m_shadow.received().at(0);
        const auto orig = m_primary.received().back();
        QCOMPARE(copy.method, std::string("PUT"));
        QCOMPARE(copy.target, std::string("/rewritten/orders?id=7"));
        QCOMPARE(copy.header("Host"), std::string("rewritten.example"));
        QCOMPARE(copy.header("X-Set"), std::string("set-by-route"));
        QCOMPARE(copy.header("X-Keep"), std::string("kept"));
        QVERIFY(copy.header("X-Remove").empty());
        QCOMPARE(copy.header("Content-Type"), std::string("application/json"));
        QCOMPARE(copy.body, std::string("{\"order\": 42}"));
        QCOMPARE(copy.header("X-Request-ID"), orig.header("X-Request-ID"));  // the same request, not a new one
        QCOMPARE(copy.header("X-Forwarded-For"), orig.header("X-Forwarded-For"));
        QCOMPARE(copy.body, orig.body);
        QVERIFY(eventually([&] { return mirrorCount(m_serve, "default-shadow-8080", "answered") == 1; }));
    }

    void refusingMirrorChangesNothingForTheClient() {
        const int before = m_primary.requests.load();
        for (int i = 0; i < 5; ++i) {
            const CurlResult r = curl({"-H", "Host: shop.example", m_serve.http("/refused/" + QString::number(i))});
            QCOMPARE(r.exitCode, 0);
            QVERIFY2(r.out.startsWith(("GET /refused/" + QString::number(i) + "\n").toUtf8()), r.out.constData());
        }
        QCOMPARE(m_primary.requests.load(), before + 5);
        // One event line per copy, on the HTTPRoute, saying what failed and that the client is not affected.
        QVERIFY(eventually([&] { return m_serve.countInOutput("reason: 'MirrorFailed'") >= 5; }));
        const QString out = QString::fromUtf8(m_serve.readOutput());
        QVERIFY2(out.contains("Kind:\"HTTPRoute\", Namespace:\"default\", Name:\"mirror\""), qPrintable(out.right(2000)));
        QVERIFY2(out.contains(QStringLiteral("RequestMirror copy of \"GET /refused/4\" to default-refused-8080 at 127.0.0.1:%1 failed: "
                                             "connect() failed").arg(m_refused)),
                 qPrintable(out.right(2000)));
        QVERIFY(out.contains("the client's response is not affected"));
        QCOMPARE(m_serve.countInOutput("reason: 'MirrorFailed'"), 5);
        QVERIFY(eventually([&] { return mirrorCount(m_serve, "default-refused-8080", "failed") == 5; }));
    }

    void silentMirrorChangesNothingForTheClient() {
        for (int i = 0; i < 5; ++i) {
            const CurlResult r = curl({"-H", "Host: shop.example", "--data-binary", "payload", m_serve.http("/silent")});
            QCOMPARE(r.exitCode, 0);
            QVERIFY2(r.out.startsWith("POST /silent\n"), r.out.constData());
        }
        // The copies reached the silent backend, which holds them unanswered (they end at the read timeout, 60 s,
        // or when serve stops: cleanupTestCase checks that serve still exits cleanly).
        QVERIFY(eventually([&] { return m_silent.received().size() >= 5; }));
        QCOMPARE(m_silent.received().at(0).body, std::string("payload"));
        QCOMPARE(mirrorCount(m_serve, "default-silent-8080", "failed"), 0L);
    }

    void percentIsHonoured() {
        constexpr int N = 400;
        const std::size_t before = m_shadow.received().size();
        const long answeredBefore = mirrorCount(m_serve, "default-shadow-8080", "answered");
        QStringList args{"-w", "%{http_code}\\n", "-H", "Host: shop.example"};
        for (int i = 0; i < N; ++i) args << "-o" << "/dev/null" << m_serve.http("/half/" + QString::number(i));  // one curl, keep-alive
        const CurlResult r = curl(args, 120000);
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> codes = r.out.trimmed().split('\n');
        QCOMPARE(codes.size(), N);
        QCOMPARE(codes.count("200"), N);
        // Every request's copy is accounted for (answered or left out by the percent) before counting.
        QVERIFY(eventually([&] {
            return mirrorCount(m_serve, "default-shadow-8080", "answered") - answeredBefore +
                       mirrorCount(m_serve, "default-shadow-8080", "not-sampled") == N;
        }));
        const long answered = mirrorCount(m_serve, "default-shadow-8080", "answered") - answeredBefore;
        QCOMPARE(long(m_shadow.received().size() - before), answered);  // every copy sent was received
        // Binomial(400, 0.5): mean 200, standard deviation 10; 4 of them either way.
        QVERIFY2(std::abs(answered - 200) <= 40, std::to_string(answered).c_str());
    }

    void cleanupTestCase() { QCOMPARE(m_serve.stop(), 0); }
};

QTEST_GUILESS_MAIN(GatewayServeMirrorTest)
#include "gateway_serve_mirror_test.moc"
