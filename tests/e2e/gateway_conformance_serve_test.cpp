// Sends every case of tests/conformance/gateway-cases.yaml through the real `ingress-lab-cli serve` with libcurl
// over loopback (the serve counterpart of tests/core/gateway/gateway_conformance_test.cpp, which routes them
// in-process): the case's Gateway API objects under `--profile gateway` against `expect`, and for a conversion case
// also its Ingresses under `--profile ingress-nginx` against `ingress_nginx_expect`. One serve per case and profile,
// several at once (e2e/conformance_serve_runner.h). Status, backend (the echo pod that answered), Location,
// rewritten path, upstream and response headers, the certificate, shares and counted load are compared; route and
// listener status conditions are not visible in traffic and stay with the routing runner.
// Prints "profile/category/serve-profile: passed/total". Fails when a case fails that
// tests/conformance/GATEWAY_KNOWN_GAPS.md does not list as "- serve `id` (profile): reason", and when a listed case
// passes.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include <QFile>
#include <QTest>

#include "e2e/conformance_serve_runner.h"
#include "support/gap_tally.h"
#include "support/test_paths.h"

using namespace ilab;

namespace {

const char* SELF_TEST = R"(id: self-test
category: redirect
profile: gateway-conformance
gateway: |
  apiVersion: gateway.networking.k8s.io/v1
  kind: Gateway
  metadata: {name: gw, namespace: default}
  spec:
    gatewayClassName: tool
    listeners: [{name: http, port: 80, protocol: HTTP}]
  ---
  apiVersion: gateway.networking.k8s.io/v1
  kind: HTTPRoute
  metadata: {name: r, namespace: default}
  spec:
    parentRefs: [{name: gw}]
    rules:
    - matches: [{path: {type: PathPrefix, value: /old}}]
      filters: [{type: RequestRedirect, requestRedirect: {hostname: new.example, statusCode: 301}}]
    - matches: [{path: {type: PathPrefix, value: /app}}]
      filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {add: [{name: X-Gw, value: a}]}}]
      backendRefs: [{name: svc, port: 8080}]
    - matches: [{path: {type: PathPrefix, value: /split}}]
      backendRefs: [{name: svc, port: 8080, weight: 1}, {name: other, namespace: web-backend, port: 8080, weight: 1}]
  ---
  apiVersion: gateway.networking.k8s.io/v1beta1
  kind: ReferenceGrant
  metadata: {name: g, namespace: web-backend}
  spec:
    from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}]
    to: [{group: '', kind: Service}]
services: {svc: [8080], web-backend/other: [8080]}
)";

}  // namespace

class GatewayConformanceServeTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    void cleanupTestCase() { curl_global_cleanup(); }
    void runnerDetectsWrongExpectations();
    void allCases();
};

// The runner must be able to fail on a gateway case: wrong status, backend, Location, response header and share are
// each reported; the right expectations pass (a redirect, a proxied request with a header, a cross-namespace split).
void GatewayConformanceServeTest::runnerDetectsWrongExpectations() {
    e2e::ServeCaseRunner runner;
    auto withExpect = [](const std::string& request, const std::string& expect) {
        YAML::Node c = YAML::Load(SELF_TEST);
        c["request"] = YAML::Load(request);
        c["expect"] = YAML::Load(expect);
        return c;
    };
    const auto bad = runner.run(withExpect("{method: GET, scheme: http, host: a.example, path: /old/x}",
                                           "{backend: null, status: 302, location: 'http://other.example/old/x'}"),
                                "gateway");
    QVERIFY(!bad.passed);
    for (const char* part : {"status 302 expected", "location http://other.example/old/x expected"})
        QVERIFY2(bad.failure.find(part) != std::string::npos, (std::string(part) + " not in: " + bad.failure).c_str());
    const auto good = runner.run(withExpect("{method: GET, scheme: http, host: a.example, path: /old/x}",
                                            "{backend: null, status: 301, location: 'http://new.example:80/old/x'}"),
                                 "gateway");
    QVERIFY2(good.passed, good.failure.c_str());

    const auto badProxy = runner.run(withExpect("{method: GET, scheme: http, host: a.example, path: /app}",
                                                "{backend: web-backend/other:8080, status: 200, response_headers: {X-Gw: b}}"),
                                     "gateway");
    for (const char* part : {"backend web-backend/other:8080 expected", "response header X-Gw: b expected"})
        QVERIFY2(badProxy.failure.find(part) != std::string::npos, (std::string(part) + " not in: " + badProxy.failure).c_str());
    // mirrored_to is checked on serve's own count of copies its pods answered: none here (the route has no mirror).
    const auto noMirror = runner.run(withExpect("{method: GET, scheme: http, host: a.example, path: /app}",
                                                "{backend: svc:8080, status: 200, mirrored_to: [svc:8080]}"),
                                     "gateway");
    QVERIFY2(noMirror.failure.find("mirrored_to: no copy to default-svc-8080 was answered by its pod") != std::string::npos,
             noMirror.failure.c_str());
    const auto goodProxy = runner.run(withExpect("{method: GET, scheme: http, host: a.example, path: /app}",
                                                 "{backend: svc:8080, status: 200, response_headers: {X-Gw: a}}"),
                                      "gateway");
    QVERIFY2(goodProxy.passed, goodProxy.failure.c_str());

    const auto badSplit = runner.run(withExpect("{method: GET, scheme: http, host: a.example, path: /split}",
                                                "{backend: [svc:8080, web-backend/other:8080], shares: {svc:8080: 0.9, web-backend/other:8080: 0.1}}"),
                                     "gateway");
    QVERIFY2(badSplit.failure.find("share of svc:8080") != std::string::npos, badSplit.failure.c_str());
    const auto goodSplit = runner.run(withExpect("{method: GET, scheme: http, host: a.example, path: /split}",
                                                 "{backend: [svc:8080, web-backend/other:8080], shares: {svc:8080: 0.5, web-backend/other:8080: 0.5}}"),
                                      "gateway");
    QVERIFY2(goodSplit.passed, goodSplit.failure.c_str());

    // status null over HTTPS: the handshake must fail; here a listener-less name is refused, so it passes, and a
    // served request does not.
    const auto noTls = runner.run(withExpect("{method: GET, scheme: https, host: a.example, path: /app}",
                                             "{backend: null, status: null, tls_handshake: no listener}"),
                                  "gateway");
    QVERIFY2(noTls.passed, noTls.failure.c_str());
    const auto answered = runner.run(withExpect("{method: GET, scheme: http, host: a.example, path: /app}", "{backend: null, status: null}"),
                                     "gateway");
    QVERIFY2(answered.failure.find("no answer (no listener) expected") != std::string::npos, answered.failure.c_str());
}

void GatewayConformanceServeTest::allCases() {
    const QString casesPath = testing::sourceDir() + QStringLiteral("/tests/conformance/gateway-cases.yaml");
    const QString gapsPath = testing::sourceDir() + QStringLiteral("/tests/conformance/GATEWAY_KNOWN_GAPS.md");
    YAML::Node cases;
    try {
        cases = YAML::LoadFile(casesPath.toStdString());
    } catch (const YAML::Exception& e) {
        QFAIL(e.what());
    }
    QVERIFY(cases.IsSequence());
    QFile gf(gapsPath);
    QVERIFY2(gf.open(QIODevice::ReadOnly), "tests/conformance/GATEWAY_KNOWN_GAPS.md is missing");
    const auto gaps = e2e::parseServeKnownGaps(gf.readAll().toStdString());

    struct Job {
        std::string text, profile;
        int weight = 0;
    };
    std::vector<Job> jobs;
    for (const auto& c : cases) {
        if (!c["request"] || !c["request"].IsMap()) continue;
        int weight = 0;
        if (c["load"]) weight += c["load"]["requests"].as<int>(1);
        if (c["request"]["backend_behaviour"]) weight += 5000;
        for (const auto& p : e2e::serveProfiles(c)) jobs.push_back({YAML::Dump(c), p, weight});
    }
    std::stable_sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.weight > b.weight; });

    const int parallel = std::max(1, qEnvironmentVariableIntValue("ILAB_CONFORMANCE_SERVE_JOBS") > 0
                                         ? qEnvironmentVariableIntValue("ILAB_CONFORMANCE_SERVE_JOBS") : 4);
    std::vector<e2e::ServeCaseOutcome> outcomes(jobs.size());
    std::vector<std::string> caseProfiles(jobs.size());
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        e2e::ServeCaseRunner runner;
        for (std::size_t i = next++; i < jobs.size(); i = next++) {
            const YAML::Node c = YAML::Load(jobs[i].text);
            caseProfiles[i] = e2e::caseStr(c["profile"]);
            outcomes[i] = runner.run(c, jobs[i].profile);
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < parallel; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();

    testing::GapTally tally(gaps, "GATEWAY_KNOWN_GAPS.md", "gateway", testing::GapTally::Run::Served);
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const auto& o = outcomes[i];
        tally.record(caseProfiles[i] + "/" + o.category + "/" + o.profile, o.id, o.profile, o.passed, o.failure);
    }
    const auto [passed, total] = tally.printCounts();
    std::printf("total: %d/%d through serve\n", passed, total);
    tally.finish();
    QVERIFY(total > 100);
    QVERIFY2(tally.unexpected().empty(), tally.unexpectedSummary().c_str());
    QVERIFY2(tally.stale().empty(), tally.staleSummary().c_str());
}

QTEST_GUILESS_MAIN(GatewayConformanceServeTest)
#include "gateway_conformance_serve_test.moc"
