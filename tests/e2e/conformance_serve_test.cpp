// Sends every case of tests/conformance/cases.yaml that needs real traffic (categories in serveCategories(): tls,
// headers, upstream-errors, rate-limit, affinity, ssl-redirect, cors, body-size, access-control, redirect, rewrite,
// canary) through the real `ingress-lab-cli serve` with libcurl, one serve per case and profile, several at once.
// Prints "category/profile: passed/total". Fails when a case fails that tests/conformance/KNOWN_GAPS.md does not
// list as "- serve `id`", and when a listed case passes (so the list stays honest).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include <QFile>
#include <QTest>

#include "e2e/conformance_serve_runner.h"
#include "support/gap_tally.h"
#include "support/test_paths.h"

using namespace ilab;

class ConformanceServeTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    void cleanupTestCase() { curl_global_cleanup(); }
    void knownGapLines();
    void runnerDetectsWrongExpectations();
    void countingChecksCanFail();
    void allCases();
};

void ConformanceServeTest::knownGapLines() {
    const auto gaps = e2e::parseServeKnownGaps(
        "# t\n- `routing-only`: not ours\n- serve `a-case` (ingress-nginx): why\n- serve `b-case`: every profile\n");
    QCOMPARE(gaps.size(), std::size_t(2));
    QVERIFY(gaps.count("a-case@ingress-nginx"));
    QVERIFY(gaps.count("b-case"));
}

// The runner must be able to fail: a TLS case with deliberately wrong expectations reports every mismatch, and the
// same case with the right expectations passes.
void ConformanceServeTest::runnerDetectsWrongExpectations() {
    const char* text =
        "id: self-test\ncategory: tls\nprofile: ingress-nginx\n"
        "ingresses: |\n"
        "  apiVersion: networking.k8s.io/v1\n  kind: Ingress\n"
        "  metadata: {name: t, namespace: default, annotations: {nginx.ingress.kubernetes.io/rewrite-target: /r}}\n"
        "  spec:\n    tls: [{hosts: [t.example], secretName: t-tls}]\n    rules:\n    - host: t.example\n      http:\n        paths:\n"
        "        - {path: /foo, pathType: Prefix, backend: {service: {name: svc, port: {number: 80}}}}\n"
        "services: {svc: [80], other: [80]}\n"
        "secrets: {t-tls: {dns_names: [t.example]}, u-tls: {dns_names: [u.example]}}\n"
        "request: {method: GET, scheme: https, host: t.example, sni: t.example, path: /foo}\n";
    YAML::Node wrong = YAML::Load(text);
    wrong["expect"] = YAML::Load(
        "{backend: other:80, status: 404, rewritten_path: /x, upstream_headers: {Host: nope}, response_headers: {X-Nope: '1'},"
        " upstream_headers_absent: [X-Request-ID], set_cookie_contains: [INGRESSCOOKIE], tls_certificate: {secret: u-tls}}");
    e2e::ServeCaseRunner runner;
    QVERIFY(e2e::serveInScope(wrong));
    const auto bad = runner.run(wrong, "ingress-nginx");
    QVERIFY(!bad.passed);
    for (const char* part : {"backend other:80 expected", "status 404 expected", "upstream path /x expected",
                             "upstream header Host: nope expected", "response header X-Nope: 1 expected",
                             "upstream header X-Request-ID must be absent", "Set-Cookie must contain 'INGRESSCOOKIE'",
                             "certificate of Secret u-tls expected"})
        QVERIFY2(bad.failure.find(part) != std::string::npos, (std::string(part) + " not in: " + bad.failure).c_str());

    YAML::Node right = YAML::Load(text);
    right["expect"] = YAML::Load(
        "{backend: svc:80, status: 200, rewritten_path: /r, upstream_headers: {Host: t.example, X-Forwarded-Proto: https},"
        " response_headers: {Strict-Transport-Security: max-age=31536000; includeSubDomains},"
        " tls_certificate: {secret: t-tls, verifies_hostname: t.example}}");
    const auto good = runner.run(right, "ingress-nginx");
    QVERIFY2(good.passed, good.failure.c_str());
}

// The counting checks can fail too: rate-limit counts, a canary share, the default certificate's names.
void ConformanceServeTest::countingChecksCanFail() {
    const std::string ingress =
        "ingresses: |\n"
        "  apiVersion: networking.k8s.io/v1\n  kind: Ingress\n"
        "  metadata: {name: m, namespace: default, annotations: {nginx.ingress.kubernetes.io/limit-rps: '1'}}\n"
        "  spec:\n    tls: [{hosts: [m.example], secretName: missing}]\n    rules:\n    - host: m.example\n      http:\n        paths:\n"
        "        - {path: /, pathType: Prefix, backend: {service: {name: main, port: {number: 80}}}}\n"
        "  ---\n  apiVersion: networking.k8s.io/v1\n  kind: Ingress\n"
        "  metadata: {name: c, namespace: default, annotations: {nginx.ingress.kubernetes.io/canary: 'true', "
        "nginx.ingress.kubernetes.io/canary-weight: '50'}}\n"
        "  spec:\n    rules:\n    - host: m.example\n      http:\n        paths:\n"
        "        - {path: /, pathType: Prefix, backend: {service: {name: canary, port: {number: 80}}}}\n"
        "services: {main: [80], canary: [80]}\n";
    e2e::ServeCaseRunner runner;
    // limit-rps 1 (burst 5): 6 of 10 pass; the case claims 2.
    const YAML::Node load = YAML::Load("id: self-load\ncategory: rate-limit\nprofile: ingress-nginx\n" + ingress +
                                       "request: {method: GET, scheme: https, host: m.example, sni: m.example, path: /, client_ip: 203.0.113.9}\n"
                                       "load: {requests: 10, concurrency: 2, spacing_ms: 0}\n"
                                       "expect: {accepted: 2, rejected: 8, accepted_status: 200, reject_status: 503}\n");
    const auto l = runner.run(load, "ingress-nginx");
    QVERIFY(!l.passed);
    QVERIFY2(l.failure.find("accepted 2 expected, got 6") != std::string::npos, l.failure.c_str());
    // A 50/50 split is not 10%; and the fake certificate is not issued by "Someone Else" for a.example.
    const YAML::Node split = YAML::Load("id: self-split\ncategory: canary\nprofile: ingress-nginx\n" + ingress +
                                        "request: {method: GET, scheme: https, host: m.example, sni: m.example, path: /}\n"
                                        "expect: {backend: [main:80, canary:80], status: 200, canary_share: 0.1,"
                                        " tls_certificate: {default_certificate: true, issuer_cn: Someone Else, dns_names: [a.example]}}\n");
    const auto s = runner.run(split, "ingress-nginx");
    QVERIFY(!s.passed);
    for (const char* part : {"canary share", "issuer CN Someone Else expected", "certificate DNS names differ"})
        QVERIFY2(s.failure.find(part) != std::string::npos, (std::string(part) + " not in: " + s.failure).c_str());
}

void ConformanceServeTest::allCases() {
    const auto started = std::chrono::steady_clock::now();
    const QString casesPath = testing::sourceDir() + QStringLiteral("/tests/conformance/cases.yaml");
    const QString gapsPath = testing::sourceDir() + QStringLiteral("/tests/conformance/KNOWN_GAPS.md");
    YAML::Node cases;
    try {
        cases = YAML::LoadFile(casesPath.toStdString());
    } catch (const YAML::Exception& e) {
        QFAIL(e.what());
    }
    QVERIFY(cases.IsSequence());
    QFile gf(gapsPath);
    QVERIFY2(gf.open(QIODevice::ReadOnly), "tests/conformance/KNOWN_GAPS.md is missing");
    const auto gaps = e2e::parseServeKnownGaps(gf.readAll().toStdString());

    // Jobs: (case text, profile). yaml-cpp nodes are not safe to share between threads, so each job re-parses its
    // own copy. The slow ones (paced load, slow backends) go first so they overlap with the rest.
    struct Job {
        std::string text, profile;
        int weight = 0;
    };
    std::vector<Job> jobs;
    const bool everyCategory = qEnvironmentVariableIsSet("ILAB_CONFORMANCE_SERVE_ALL");
    for (const auto& c : cases) {
        if (!e2e::serveInScope(c, everyCategory)) continue;
        int weight = 0;
        if (c["load"]) weight += c["load"]["requests"].as<int>(1) * c["load"]["spacing_ms"].as<int>(0);
        if (c["request"]["backend_behaviour"]) weight += 5000;
        for (const auto& p : e2e::serveProfiles(c)) jobs.push_back({YAML::Dump(c), p, weight});
    }
    std::stable_sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.weight > b.weight; });

    // Each serve is mostly idle (it waits on the client, on paced requests or on slow pods): 4 at once keep 2 cores busy.
    const int parallel = std::max(1, qEnvironmentVariableIntValue("ILAB_CONFORMANCE_SERVE_JOBS") > 0
                                         ? qEnvironmentVariableIntValue("ILAB_CONFORMANCE_SERVE_JOBS") : 4);
    std::vector<e2e::ServeCaseOutcome> outcomes(jobs.size());
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        e2e::ServeCaseRunner runner;
        for (std::size_t i = next++; i < jobs.size(); i = next++) outcomes[i] = runner.run(YAML::Load(jobs[i].text), jobs[i].profile);
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < parallel; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();

    testing::GapTally tally(gaps, "KNOWN_GAPS.md", "conformance", testing::GapTally::Run::Served);
    for (const auto& o : outcomes) tally.record(o.category + "/" + o.profile, o.id, o.profile, o.passed, o.failure);
    const auto [passed, total] = tally.printCounts();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    double slowest = 0;
    std::string slowestId;
    for (const auto& o : outcomes)
        if (o.seconds > slowest) slowest = o.seconds, slowestId = o.id;
    std::printf("total: %d/%d through serve in %.1f s (%d at once; slowest case %s %.1f s)\n", passed, total, wall, parallel,
                slowestId.c_str(), slowest);
    if (qEnvironmentVariableIsSet("ILAB_CONFORMANCE_SERVE_VERBOSE"))
        for (const auto& o : outcomes) std::printf("  %5.2f s %s (%s)%s\n", o.seconds, o.id.c_str(), o.profile.c_str(), o.passed ? "" : " FAILED");
    tally.finish();
    QVERIFY(total >= 60);
    QVERIFY2(tally.unexpected().empty(), tally.unexpectedSummary().c_str());
    QVERIFY2(tally.stale().empty(), tally.staleSummary().c_str());
}

QTEST_GUILESS_MAIN(ConformanceServeTest)
#include "conformance_serve_test.moc"
