// Runs every routing-decidable case of tests/conformance/cases.yaml under the profiles it names and prints
// "category/profile: passed/total". Fails when a case fails that tests/conformance/KNOWN_GAPS.md does not list,
// and when a listed case passes (so the list stays honest).

#include <cstdio>
#include <map>

#include <QFile>
#include <QtTest>

#include "support/test_paths.h"
#include "conformance/runner/conformance_runner.h"

using namespace ilab;

class ConformanceTest : public QObject {
    Q_OBJECT
private slots:
    void runnerDetectsWrongExpectations();
    void allCases();
};

// The runner must be able to fail: a case with deliberately wrong expectations reports every mismatch.
void ConformanceTest::runnerDetectsWrongExpectations() {
    const char* text =
        "id: self-test\ncategory: path\nprofile: both\n"
        "ingresses: |\n"
        "  apiVersion: networking.k8s.io/v1\n  kind: Ingress\n  metadata: {name: t, namespace: default}\n"
        "  spec:\n    rules:\n    - host: t.example\n      http:\n        paths:\n"
        "        - {path: /foo, pathType: Prefix, backend: {service: {name: svc, port: {number: 80}}}}\n"
        "services: {svc: [80]}\n"
        "request: {method: GET, scheme: http, host: t.example, path: /foo/bar}\n"
        "expect: {backend: other:80, status: 404, rewritten_path: /x, upstream_headers: {Host: nope}}\n";
    const YAML::Node c = YAML::Load(text);
    testing::ConformanceRunner runner;
    QVERIFY(runner.inScope(c));
    const auto outcomes = runner.run(c);
    QCOMPARE(outcomes.size(), std::size_t(2));
    for (const auto& o : outcomes) {
        QVERIFY(!o.passed);
        QVERIFY2(o.failure.find("backend other:80 expected") != std::string::npos, o.failure.c_str());
        QVERIFY2(o.failure.find("status 404 expected") != std::string::npos, o.failure.c_str());
        QVERIFY2(o.failure.find("rewritten path /x expected") != std::string::npos, o.failure.c_str());
    }
    // And the right expectations pass.
    YAML::Node ok = YAML::Load(text);
    ok["expect"] = YAML::Load("{backend: svc:80, status: 200, rewritten_path: /foo/bar}");
    for (const auto& o : runner.run(ok)) QVERIFY2(o.passed, o.failure.c_str());
    // Known-gap list parsing.
    const auto gaps = testing::parseKnownGaps("# t\n- `a-case` (kubernetes): why\n- `b-case`: all profiles\n");
    QCOMPARE(gaps.size(), std::size_t(2));
    QVERIFY(gaps.count("a-case@kubernetes"));
    QVERIFY(gaps.count("b-case"));
}

void ConformanceTest::allCases() {
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
    const auto gaps = testing::parseKnownGaps(gf.readAll().toStdString());

    testing::ConformanceRunner runner;
    std::map<std::string, std::pair<int, int>> counts;  // category/profile -> passed, total
    std::vector<std::string> unexpectedFailures, stalePassing;
    std::set<std::string> usedGaps;
    int ran = 0;
    for (const auto& c : cases) {
        if (!runner.inScope(c)) continue;
        for (const auto& o : runner.run(c)) {
            ++ran;
            auto& cnt = counts[o.category + "/" + o.profile];
            cnt.second++;
            std::string gapKey = o.id + "@" + o.profile;
            auto gap = gaps.find(gapKey);
            if (gap == gaps.end()) {
                gapKey = o.id;
                gap = gaps.find(gapKey);
            }
            if (gap != gaps.end()) usedGaps.insert(gapKey);
            if (o.passed) {
                cnt.first++;
                if (gap != gaps.end()) stalePassing.push_back(o.id + " (" + o.profile + ") passes but is listed in KNOWN_GAPS.md");
            } else if (gap == gaps.end()) {
                unexpectedFailures.push_back(o.id + " (" + o.profile + "): " + o.failure);
            } else {
                std::printf("known gap %s (%s): %s\n", o.id.c_str(), o.profile.c_str(), o.failure.c_str());
            }
        }
    }
    int passed = 0, total = 0;
    for (const auto& [k, v] : counts) {
        std::printf("%s: %d/%d\n", k.c_str(), v.first, v.second);
        passed += v.first;
        total += v.second;
    }
    std::printf("total: %d/%d\n", passed, total);
    for (const auto& [k, v] : gaps)
        if (!usedGaps.count(k)) stalePassing.push_back(k + " is listed in KNOWN_GAPS.md but is not a routed case");
    for (const auto& f : unexpectedFailures) std::printf("FAIL %s\n", f.c_str());
    for (const auto& s : stalePassing) std::printf("STALE %s\n", s.c_str());
    std::fflush(stdout);
    QVERIFY(ran > 100);
    QVERIFY2(unexpectedFailures.empty(), "conformance cases failed that KNOWN_GAPS.md does not list");
    QVERIFY2(stalePassing.empty(), "KNOWN_GAPS.md lists cases that pass (or do not exist)");
}

QTEST_GUILESS_MAIN(ConformanceTest)
#include "conformance_test.moc"
