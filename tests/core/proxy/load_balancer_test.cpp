// LoadBalancer: consistent hashing for upstream-hash-by (stability, minimal disruption when endpoints come and go,
// balance, failover along the ring), the hash-key expressions, and round robin with passive health.

#include <QTest>

#include <ctime>
#include <map>
#include <set>

#include "core/proxy/load_balancer.h"

using namespace ilab;
using proxy::LoadBalancer;

namespace {

std::vector<routing::Endpoint> endpoints(int n, int firstOctet = 1) {
    std::vector<routing::Endpoint> eps;
    for (int i = 0; i < n; ++i)
        eps.push_back({"10.0.0." + std::to_string(firstOctet + i), 8080, "pod-" + std::to_string(firstOctet + i)});
    return eps;
}

routing::Decision hashBy(const std::string& expr) {
    routing::Decision d;
    d.action = routing::Decision::Action::Proxy;
    d.upstreamHashBy = expr;
    return d;
}

routing::RequestView request(const std::string& target) {
    routing::RequestView r;
    r.host = "app.example.com";
    r.target = target;
    return r;
}

// Which endpoint (by pod name) each of `keys` request URIs goes to.
std::map<std::string, std::string> assign(LoadBalancer& lb, const std::vector<routing::Endpoint>& eps, int keys) {
    std::map<std::string, std::string> out;
    const auto d = hashBy("$request_uri");
    for (int k = 0; k < keys; ++k) {
        const std::string uri = "/item/" + std::to_string(k);
        auto pick = lb.pick(d, eps, "default-app-80", request(uri), {}, 0);
        out[uri] = pick.endpoint ? pick.endpoint->podName : "";
    }
    return out;
}

}  // namespace

class LoadBalancerTest : public QObject {
    Q_OBJECT
private slots:
    void crc32IsTheIeeeCrc() {
        QCOMPARE(LoadBalancer::crc32("123456789"), 0xCBF43926u);  // the standard check value
        QCOMPARE(LoadBalancer::crc32(""), 0u);
    }

    void ringHas160PointsPerEndpointSorted() {
        auto ring = LoadBalancer::buildRing(endpoints(3));
        QCOMPARE(ring.points.size(), std::size_t(3 * LoadBalancer::POINTS_PER_ENDPOINT));
        for (std::size_t i = 1; i < ring.points.size(); ++i) QVERIFY(ring.points[i - 1].hash <= ring.points[i].hash);
        // Every endpoint appears in the fallback order exactly once, whatever the hash.
        for (std::uint32_t h : {0u, 0x7FFFFFFFu, 0xFFFFFFFFu}) {
            auto order = LoadBalancer::ringOrder(ring, h);
            QCOMPARE(std::set<std::size_t>(order.begin(), order.end()).size(), std::size_t(3));
        }
    }

    void sameKeySameEndpoint() {
        LoadBalancer a, b;
        const auto eps = endpoints(4);
        const auto first = assign(a, eps, 500);
        QCOMPARE(assign(a, eps, 500), first);  // repeated picks
        QCOMPARE(assign(b, eps, 500), first);  // another worker's balancer agrees
    }

    void keysSpreadOverEndpoints() {
        LoadBalancer lb;
        std::map<std::string, int> count;
        for (const auto& [uri, pod] : assign(lb, endpoints(4), 4000)) ++count[pod];
        QCOMPARE(count.size(), std::size_t(4));
        for (const auto& [pod, n] : count)
            QVERIFY2(n > 4000 * 0.15 && n < 4000 * 0.35, qPrintable(QString::fromStdString(pod) + ": " + QString::number(n)));
    }

    void removingAnEndpointMovesOnlyItsKeys() {
        LoadBalancer lb;
        auto eps = endpoints(4);
        const auto before = assign(lb, eps, 2000);
        eps.erase(eps.begin() + 2);  // pod-3 goes away (scaled down)
        const auto after = assign(lb, eps, 2000);
        int moved = 0;
        for (const auto& [uri, pod] : before) {
            if (pod == "pod-3") {
                QVERIFY(after.at(uri) != "pod-3");
                ++moved;
            } else {
                QCOMPARE(after.at(uri), pod);  // a modulo hash would move about 3/4 of these
            }
        }
        QVERIFY(moved > 0);
    }

    void addingAnEndpointTakesAShareFromEveryone() {
        LoadBalancer lb;
        auto eps = endpoints(4);
        const auto before = assign(lb, eps, 2000);
        eps.push_back({"10.0.0.9", 8080, "pod-9"});
        const auto after = assign(lb, eps, 2000);
        int moved = 0;
        for (const auto& [uri, pod] : before) {
            if (after.at(uri) != pod) {
                QCOMPARE(after.at(uri), std::string("pod-9"));  // keys only ever move to the new endpoint
                ++moved;
            }
        }
        QVERIFY2(moved > 2000 * 0.10 && moved < 2000 * 0.32, qPrintable(QString::number(moved)));
    }

    void failedEndpointFallsBackAlongTheRingAndReturns() {
        LoadBalancer lb;
        const auto eps = endpoints(3);
        const auto d = hashBy("$request_uri");
        const auto rv = request("/cart/42");
        const auto home = lb.pick(d, eps, "default-app-80", rv, {}, 0).endpoint;
        QVERIFY(home);
        const std::string homeKey = LoadBalancer::endpointKey(*home);
        const auto ring = LoadBalancer::buildRing(eps);
        const auto order = LoadBalancer::ringOrder(ring, LoadBalancer::crc32("/cart/42"));
        QCOMPARE(eps[order[0]].podName, home->podName);

        lb.markFailed(homeKey, 1000);
        const auto other = lb.pick(d, eps, "default-app-80", rv, {}, 2000).endpoint;
        QVERIFY(other);
        QCOMPARE(other->podName, eps[order[1]].podName);  // the next endpoint on the ring
        // The retry after a failed attempt skips the tried endpoint the same way.
        const auto retry = lb.pick(d, eps, "default-app-80", rv, {homeKey}, 0).endpoint;
        QCOMPARE(retry->podName, eps[order[1]].podName);
        // After fail_timeout the key goes home again.
        const auto back = lb.pick(d, eps, "default-app-80", rv, {}, 1000 + LoadBalancer::FAIL_TIMEOUT_MS).endpoint;
        QCOMPARE(back->podName, home->podName);
    }

    void hashKeyExpressions() {
        routing::RequestView r = request("/p/q?user=alice&x=1");
        r.clientIp = "10.1.2.3";
        r.headers = {{"X-Tenant", "blue"}, {"Cookie", "sid=abc; theme=dark"}};
        QCOMPARE(LoadBalancer::hashKey("$request_uri", r), std::string("/p/q?user=alice&x=1"));
        QCOMPARE(LoadBalancer::hashKey("$uri", r), std::string("/p/q"));
        QCOMPARE(LoadBalancer::hashKey("$remote_addr", r), std::string("10.1.2.3"));
        QCOMPARE(LoadBalancer::hashKey("$http_x_tenant", r), std::string("blue"));
        QCOMPARE(LoadBalancer::hashKey("$cookie_sid", r), std::string("abc"));
        QCOMPARE(LoadBalancer::hashKey("$arg_user", r), std::string("alice"));
        QCOMPARE(LoadBalancer::hashKey("${host}-$arg_user", r), std::string("app.example.com-alice"));
    }

    void roundRobinSkipsFailedAndTried() {
        LoadBalancer lb;
        const auto eps = endpoints(3);
        routing::Decision d;
        d.action = routing::Decision::Action::Proxy;
        std::vector<std::string> seen;
        for (int i = 0; i < 6; ++i) seen.push_back(lb.pick(d, eps, "u", request("/"), {}, 0).endpoint->podName);
        QCOMPARE(seen, (std::vector<std::string>{"pod-1", "pod-2", "pod-3", "pod-1", "pod-2", "pod-3"}));
        lb.markFailed(LoadBalancer::endpointKey(eps[1]), 0);
        for (int i = 0; i < 4; ++i) QVERIFY(lb.pick(d, eps, "u", request("/"), {}, 1).endpoint->podName != "pod-2");
        auto p = lb.pick(d, eps, "u", request("/"), {LoadBalancer::endpointKey(eps[0]), LoadBalancer::endpointKey(eps[2])}, 1);
        QCOMPARE(p.endpoint->podName, std::string("pod-2"));  // every endpoint failed or tried: try anyway
    }

    // The affinity cookie as sticky.lua + lua-resty-cookie write it: "<endpoint>|md5(md5(upstream) .. upstream)",
    // attributes in bake() order, Expires in
    // ngx.cookie_time's format ("Thu, 18-Nov-10 ..."), SameSite only in its exact spellings.
    void affinityCookieAttributesInLuaRestyCookieOrder() {
        LoadBalancer lb;
        const auto eps = endpoints(2);
        routing::Decision d;
        d.action = routing::Decision::Action::Proxy;
        routing::AffinityPolicy a;
        a.cookieName = "SERVERID";
        a.path = "/app";
        a.expires = "172800";
        a.maxAge = "259200";
        a.domain = "foo.bar";
        a.secure = true;
        a.sameSite = "Lax";
        d.affinity = a;
        const std::time_t before = std::time(nullptr);
        const std::string c = lb.pick(d, eps, "default-echo-80", request("/app"), {}, 0).setCookie;
        const std::time_t after = std::time(nullptr);
        const QRegularExpression re(QStringLiteral(
            "^SERVERID=[0-9a-f]{16}\\|df61074cff0dc933beb37e1d8124ac6f; Expires=(Sun|Mon|Tue|Wed|Thu|Fri|Sat), \\d\\d-[A-Z][a-z][a-z]-\\d\\d "
            "\\d\\d:\\d\\d:\\d\\d GMT; Max-Age=259200; Domain=foo\\.bar; Path=/app; Secure; HttpOnly; SameSite=Lax$"));
        QVERIFY2(re.match(QString::fromStdString(c)).hasMatch(), c.c_str());
        // Expires = the time of the pick + 172800 s.
        bool found = false;
        for (std::time_t t = before; t <= after; ++t)
            found = found || c.find("Expires=" + LoadBalancer::cookieTime(t + 172800) + ";") != std::string::npos;
        QVERIFY2(found, c.c_str());
    }

    void cookieTimeIsNginxCookieTime() {
        QCOMPARE(LoadBalancer::cookieTime(1290079655), std::string("Thu, 18-Nov-10 11:27:35 GMT"));
        QCOMPARE(LoadBalancer::cookieTime(2145916799), std::string("Thu, 31-Dec-37 23:59:59 GMT"));
        QCOMPARE(LoadBalancer::cookieTime(2145916800), std::string("Fri, 01-Jan-2038 00:00:00 GMT"));
        QCOMPARE(LoadBalancer::cookieTime(1000000000), std::string("Sun, 09-Sep-01 01:46:40 GMT"));
    }

    void conditionalSameSiteNoneDropsItForOldAgents() {
        LoadBalancer lb;
        const auto eps = endpoints(2);
        routing::Decision d;
        d.action = routing::Decision::Action::Proxy;
        routing::AffinityPolicy a;
        a.path = "/";
        a.sameSite = "None";
        a.conditionalSameSiteNone = true;
        d.affinity = a;
        auto r = request("/");
        r.headers = {{"User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 12_0 like Mac OS X) AppleWebKit/605.1.15"}};
        QVERIFY(lb.pick(d, eps, "u", r, {}, 0).setCookie.find("SameSite") == std::string::npos);
        r.headers = {{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0 Safari/537.36"}};
        QVERIFY(lb.pick(d, eps, "u", r, {}, 0).setCookie.find("; SameSite=None") != std::string::npos);
        r.headers.clear();  // no User-Agent: compatible
        QVERIFY(lb.pick(d, eps, "u", r, {}, 0).setCookie.find("; SameSite=None") != std::string::npos);
        d.affinity->conditionalSameSiteNone = false;
        r.headers = {{"User-Agent", "Mozilla/5.0 (Windows NT 10.0) Chrome/51.0.2704.103 Safari/537.36"}};
        QVERIFY(lb.pick(d, eps, "u", r, {}, 0).setCookie.find("; SameSite=None") != std::string::npos);
        QVERIFY(!LoadBalancer::sameSiteNoneCompatible(std::string("Mozilla/5.0 (Windows NT 10.0) Chrome/51.0.2704.103")));
        QVERIFY(!LoadBalancer::sameSiteNoneCompatible(
            std::string("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_0) AppleWebKit/605.1.15 Version/12.0 Safari/605.1.15")));
        QVERIFY(LoadBalancer::sameSiteNoneCompatible(
            std::string("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36")));
    }
};

QTEST_GUILESS_MAIN(LoadBalancerTest)
#include "load_balancer_test.moc"
