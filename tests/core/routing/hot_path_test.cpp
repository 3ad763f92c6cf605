// The router's hot-path helpers against plain reference implementations: FlatIndex (the exact/prefix/host maps)
// against std::map, normalizePathInto (with its already-normal fast path) against nginx's segment algorithm
// written the obvious way, normalizeHostInto against std::tolower, and RequestView::header-equivalent lookups
// through route() on headers in every case and order.
#include <map>
#include <random>

#include <QTest>

#include "core/routing/route_table_impl.h"
#include "core/routing/uri.h"
#include "routing_fixture.h"

using namespace ilab;

namespace {

// nginx $uri as the router computed it before the hot-path rewrite: decode, split, resolve, join.
std::optional<std::string> referencePath(const std::string& raw) {
    std::string decoded;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '%') {
            decoded += raw[i];
            continue;
        }
        if (i + 2 >= raw.size()) return std::nullopt;
        const std::string hex = raw.substr(i + 1, 2);
        if (!std::isxdigit(static_cast<unsigned char>(hex[0])) || !std::isxdigit(static_cast<unsigned char>(hex[1])))
            return std::nullopt;
        decoded += static_cast<char>(std::stoi(hex, nullptr, 16));
        i += 2;
    }
    if (decoded.empty() || decoded[0] != '/') decoded.insert(decoded.begin(), '/');
    std::vector<std::string> segs;
    bool trailing = false;
    std::size_t pos = 1;
    while (pos <= decoded.size()) {
        std::size_t end = decoded.find('/', pos);
        if (end == std::string::npos) end = decoded.size();
        const std::string seg = decoded.substr(pos, end - pos);
        const bool last = end == decoded.size();
        if (seg.empty() || seg == ".") {
            trailing = trailing || last;
        } else if (seg == "..") {
            if (segs.empty()) return std::nullopt;
            segs.pop_back();
            trailing = trailing || last;
        } else {
            segs.push_back(seg);
            trailing = false;
        }
        pos = end + 1;
    }
    std::string out;
    for (const auto& s : segs) out += "/" + s;
    if (out.empty() || trailing) out += "/";
    return out;
}

}  // namespace

class HotPathTest : public QObject {
    Q_OBJECT
private slots:
    void flatIndexAgreesWithAMap() {
        std::mt19937 rng(7);
        const char* parts[] = {"", "/", "a", "api", "v1", "items", "host", ".example.com", "x", "-", "ÿ"};
        routing::detail::FlatIndex index;
        std::map<std::string, int> reference;
        std::vector<std::string> probes;
        for (int i = 0; i < 5000; ++i) {
            std::string key;
            const int n = static_cast<int>(rng() % 5);
            for (int k = 0; k < n; ++k) key += parts[rng() % std::size(parts)];
            probes.push_back(key);
            const auto [stored, added] = index.emplace(key, i);
            const auto [it, refAdded] = reference.emplace(key, i);
            QCOMPARE(added, refAdded);
            QCOMPARE(stored, it->second);  // an existing key keeps its first value
        }
        QCOMPARE(index.size(), reference.size());
        for (int i = 0; i < 2000; ++i) probes.push_back("absent-" + std::to_string(i));
        for (const auto& p : probes) {
            const auto it = reference.find(p);
            QCOMPARE(index.find(p), it == reference.end() ? -1 : it->second);
        }
        QCOMPARE(routing::detail::FlatIndex().find(""), -1);
    }

    void normalizePathAgreesWithTheSegmentAlgorithm() {
        const char* parts[] = {"/", "//", "a", "b.", ".", "..", "/.", "/..", "%2e", "%2E%2e", "%2F", "%41", "%4", "%zz", "?", "x y"};
        std::mt19937 rng(11);
        std::string out, scratch;
        for (int i = 0; i < 20000; ++i) {
            std::string raw = rng() % 4 ? "/" : "";
            const int n = static_cast<int>(rng() % 7);
            for (int k = 0; k < n; ++k) raw += parts[rng() % std::size(parts)];
            const auto want = referencePath(raw);
            const bool ok = routing::normalizePathInto(raw, out, scratch);
            QVERIFY2(ok == want.has_value(), raw.c_str());
            if (ok) QVERIFY2(out == *want, qPrintable(QString::fromStdString(raw + " -> " + out + ", want " + *want)));
            QCOMPARE(routing::normalizePath(raw), want);
        }
    }

    void normalizeHostLowercasesEveryByte() {
        std::string out;
        for (int c = 1; c < 256; ++c) {
            const std::string host = std::string("A") + static_cast<char>(c) + "b";
            const bool ok = routing::normalizeHostInto(host, out);
            const bool illegal = c == '/' || c == '\\' || c == ' ' || c < 0x20;
            QCOMPARE(ok, !illegal);
            if (!ok || c == '.' || c == ':') continue;
            QCOMPARE(out, std::string("a") + static_cast<char>(std::tolower(c)) + "b");
        }
        QVERIFY(routing::normalizeHostInto("Web.Example.COM.:8443", out));
        QCOMPARE(out, std::string("web.example.com"));
        QVERIFY(!routing::normalizeHostInto("a..b", out));
    }

    // The router reads its request headers in one pass: the first value counts, names in any case.
    void forwardedHeadersUseTheFirstValueInAnyCase() {
        auto c = testing::compileYaml(R"(
apiVersion: v1
kind: ConfigMap
metadata: {name: ingress-nginx-controller}
data: {use-forwarded-headers: "true"}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
)");
        routing::RequestView r;
        r.host = "web.example.com";
        r.headers = {{"x-forwarded-host", " first.example , second"}, {"X-Forwarded-Host", "later.example"},
                     {"X-FORWARDED-PROTO", "https"}, {"x-request-id", "rid-7"}, {"X-Request-ID", "rid-8"},
                     {"X-Forwarded-Port", "8443"}, {"X-Forwarded-For", "9.9.9.9, 10.0.0.1"}};
        const auto d = c.table().route(r, 1);
        std::map<std::string, std::string> up(d.upstreamHeaders.begin(), d.upstreamHeaders.end());
        QCOMPARE(up["X-Forwarded-Host"], std::string("first.example"));
        QCOMPARE(up["X-Original-Forwarded-Host"], std::string(" first.example , second"));
        QCOMPARE(up["X-Forwarded-Proto"], std::string("https"));
        QCOMPARE(up["X-Request-ID"], std::string("rid-7"));
        QCOMPARE(up["X-Forwarded-Port"], std::string("8443"));
        QCOMPARE(up["X-Real-IP"], std::string("9.9.9.9"));
    }
};

QTEST_GUILESS_MAIN(HotPathTest)
#include "hot_path_test.moc"
