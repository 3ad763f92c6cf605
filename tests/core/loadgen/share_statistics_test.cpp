// Binomial arithmetic of the traffic summary, checked against published and hand-computed values.
#include <QTest>

#include "core/loadgen/share_statistics.h"

using namespace ilab::loadgen;

class ShareStatisticsTest : public QObject {
    Q_OBJECT
private slots:
    void normalQuantileKnownValues() {
        QVERIFY(qAbs(normalQuantile(0.975) - 1.959963985) < 1e-8);
        QVERIFY(qAbs(normalQuantile(0.80) - 0.841621234) < 1e-8);
        QVERIFY(qAbs(normalQuantile(0.5)) < 1e-12);
        QVERIFY(qAbs(normalQuantile(0.001) + 3.090232306) < 1e-8);
        QVERIFY(qAbs(twoSidedNormalP(1.959963985) - 0.05) < 1e-8);
    }

    // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3
    // (Wilson score interval without continuity correction), plus 104/1000 computed by hand.
    void wilsonInterval_data() {
        QTest::addColumn<qulonglong>("k");
        QTest::addColumn<qulonglong>("n");
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        QTest::newRow("81/263") << 81ull << 263ull << 0.2553 << 0.3662;
        QTest::newRow("15/148") << 15ull << 148ull << 0.0624 << 0.1605;
        QTest::newRow("0/20") << 0ull << 20ull << 0.0 << 0.1611;
        QTest::newRow("1/29") << 1ull << 29ull << 0.0061 << 0.1718;
        QTest::newRow("104/1000") << 104ull << 1000ull << 0.0866 << 0.1245;
        QTest::newRow("900/1000") << 900ull << 1000ull << 0.8798 << 0.9171;
    }
    void wilsonInterval() {
        QFETCH(qulonglong, k);
        QFETCH(qulonglong, n);
        QFETCH(double, low);
        QFETCH(double, high);
        const ShareInterval ci = ilab::loadgen::wilsonInterval(k, n);
        QVERIFY2(qAbs(ci.low - low) < 6e-5, qPrintable(QString::number(ci.low, 'f', 5)));
        QVERIFY2(qAbs(ci.high - high) < 6e-5, qPrintable(QString::number(ci.high, 'f', 5)));
        QCOMPARE(ci.observed, double(k) / double(n));
    }

    void wilsonWithNoTrialsIsTheWholeRange() {
        const ShareInterval ci = ilab::loadgen::wilsonInterval(0, 0);
        QCOMPARE(ci.low, 0.0);
        QCOMPARE(ci.high, 1.0);
    }

    void verdictConsistent() {
        const ShareCheck c = checkShare(104, 1000, 0.10);
        QCOMPARE(QString::fromStdString(c.verdict), QString::fromUtf8("10.4 % ± 1.9 % — consistent with 10 %"));
        QVERIFY(c.consistent);
        QVERIFY(qAbs(c.pValue - 0.6733) < 1e-3);
    }

    void verdictNotConsistent() {
        // z = (0.128 − 0.1) / √(0.09/1000) = 2.951 → p = 0.00316
        const ShareCheck c = checkShare(128, 1000, 0.10);
        QCOMPARE(QString::fromStdString(c.verdict),
                 QString::fromUtf8("12.8 % ± 2.1 % — NOT consistent with 10 % (p = 0.003)"));
        QVERIFY(!c.consistent);
        QVERIFY(qAbs(c.pValue - 0.003163) < 1e-5);
    }

    void verdictAgreesWithInterval() {
        // The score test and the Wilson interval are inversions of each other: check over a grid.
        for (uint64_t k = 0; k <= 200; k += 3) {
            const ShareCheck c = checkShare(k, 200, 0.25);
            const bool inside = c.interval.low <= 0.25 && 0.25 <= c.interval.high;
            QVERIFY2(inside == c.consistent, qPrintable(QString("k=%1").arg(k)));
        }
    }

    void verdictTinyPValue() {
        const ShareCheck c = checkShare(500, 1000, 0.10);
        QVERIFY(QString::fromStdString(c.verdict).endsWith("NOT consistent with 10 % (p < 0.001)"));
    }

    void verdictDegenerateExpectations() {
        QVERIFY(checkShare(0, 100, 0.0).consistent);
        QVERIFY(!checkShare(1, 100, 0.0).consistent);
        QVERIFY(checkShare(100, 100, 1.0).consistent);
        QVERIFY(!checkShare(99, 100, 1.0).consistent);
        QVERIFY(QString::fromStdString(checkShare(0, 0, 0.5).verdict).startsWith("no responses"));
    }

    void requestsToDetect() {
        // (1.95996·√(0.1·0.9) + 0.84162·√(0.12·0.88))² / 0.02² = 1855.39 → 1856
        QCOMPARE(ilab::loadgen::requestsToDetect(0.10, 0.12), uint64_t(1856));
        // 50 % vs 55 %: 782.53 → 783
        QCOMPARE(ilab::loadgen::requestsToDetect(0.50, 0.55), uint64_t(783));
        // Larger deviation, fewer requests; stricter confidence, more.
        QVERIFY(ilab::loadgen::requestsToDetect(0.10, 0.15) < 1856);
        QVERIFY(ilab::loadgen::requestsToDetect(0.10, 0.12, 0.99) > 1856);
        QCOMPARE(ilab::loadgen::requestsToDetect(0.10, 0.10), uint64_t(0));
        QCOMPARE(ilab::loadgen::requestsToDetect(0.0, 0.10), uint64_t(0));
    }

    void formatPercent() {
        QCOMPARE(QString::fromStdString(ilab::loadgen::formatPercent(0.10)), QString("10 %"));
        QCOMPARE(QString::fromStdString(ilab::loadgen::formatPercent(0.125)), QString("12.5 %"));
        QCOMPARE(QString::fromStdString(ilab::loadgen::formatPercent(0.0)), QString("0 %"));
        QCOMPARE(QString::fromStdString(ilab::loadgen::formatPercent(1.0 / 3, 2)), QString("33.33 %"));
    }
};

QTEST_APPLESS_MAIN(ShareStatisticsTest)
#include "share_statistics_test.moc"
