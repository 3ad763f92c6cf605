// Runs every routing-decidable case of tests/conformance/cases.yaml under the profiles it names and prints
// "category/profile: passed/total". Fails when a case fails that tests/conformance/KNOWN_GAPS.md does not list,
// and when a listed case passes (so the list stays honest).

#include <cstdio>

#include <QFile>
#include <QTest>

#include "support/gap_tally.h"
#include "support/test_paths.h"
#include "conformance/runner/conformance_runner.h"

using namespace ilab;

class ConformanceTest : public QObject {
    Q_OBJECT
private slots:
    void runnerDetectsWrongExpectations();
    void gapTallySortsOutcomes();
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

// The known-gap bookkeeping of all four runners (support/gap_tally.h): an unlisted failure is unexpected, a listed
// case that passes is stale, and so is a listed id that no case has; a gap listed for one profile covers no other.
void ConformanceTest::gapTallySortsOutcomes() {
    testing::GapTally tally(testing::parseKnownGaps("- `gap-k8s` (kubernetes): only there\n"
                                                    "- `gap-fixed`: every profile\n"
                                                    "- `gap-gone`: no such case\n"),
                            "KNOWN_GAPS.md", "conformance");
    tally.setPrinting(false);
    tally.record("path/kubernetes", "plain-fails", "kubernetes", false, "status 404 expected, got 200");
    tally.record("path/kubernetes", "gap-k8s", "kubernetes", false, "backend a:80 expected");      // a known gap
    tally.record("path/ingress-nginx", "gap-k8s", "ingress-nginx", false, "backend a:80 expected");  // not this profile
    tally.record("path/ingress-nginx", "gap-fixed", "ingress-nginx", true, "");
    tally.record("path/ingress-nginx", "ok", "ingress-nginx", true, "");
    tally.finish();
    const std::vector<std::string> unexpected{"plain-fails (kubernetes): status 404 expected, got 200",
                                              "gap-k8s (ingress-nginx): backend a:80 expected"};
    QCOMPARE(tally.unexpected(), unexpected);
    const std::vector<std::string> stale{"gap-fixed (ingress-nginx) passes but is listed in KNOWN_GAPS.md",
                                         "gap-gone is listed in KNOWN_GAPS.md but is not a routed case"};
    QCOMPARE(tally.stale(), stale);
    QCOMPARE(tally.printCounts(), std::make_pair(2, 5));
    QCOMPARE(tally.unexpectedSummary(), std::string("conformance cases failed that KNOWN_GAPS.md does not list"));

    // Nothing to report when every failure is listed and every entry is a failing case.
    testing::GapTally clean({{"gap-k8s@kubernetes", ""}}, "KNOWN_GAPS.md", "conformance");
    clean.setPrinting(false);
    clean.record("path/kubernetes", "gap-k8s", "kubernetes", false, "backend a:80 expected");
    clean.record("path/kubernetes", "ok", "kubernetes", true, "");
    clean.finish();
    QVERIFY(clean.unexpected().empty());
    QVERIFY(clean.stale().empty());
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
    testing::GapTally tally(gaps, "KNOWN_GAPS.md", "conformance");
    int ran = 0;
    for (const auto& c : cases) {
        if (!runner.inScope(c)) continue;
        for (const auto& o : runner.run(c)) {
            ++ran;
            tally.record(o.category + "/" + o.profile, o.id, o.profile, o.passed, o.failure);
        }
    }
    const auto [passed, total] = tally.printCounts();
    std::printf("total: %d/%d\n", passed, total);
    tally.finish();
    QVERIFY(ran > 100);
    QVERIFY2(tally.unexpected().empty(), tally.unexpectedSummary().c_str());
    QVERIFY2(tally.stale().empty(), tally.staleSummary().c_str());
}

QTEST_GUILESS_MAIN(ConformanceTest)
#include "conformance_test.moc"
