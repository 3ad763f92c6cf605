// The chart adapter: samples become capped series, shares become Wilson intervals that agree with the core's
// statistics, and the lesson's 90/10 reads as 90/10.
#include <QSignalSpy>
#include <QTest>

#include "core/loadgen/share_statistics.h"
#include "ui/charts/live_charts.h"
#include "ui/charts/share_chart.h"
#include "ui/charts/time_series_chart.h"

using namespace ilab::ui::charts;

class LiveChartsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void wilsonMatchesCore_data() {
        QTest::addColumn<quint64>("k");
        QTest::addColumn<quint64>("n");
        QTest::newRow("90 of 100") << quint64(90) << quint64(100);
        QTest::newRow("10 of 100") << quint64(10) << quint64(100);
        QTest::newRow("0 of 5") << quint64(0) << quint64(5);
        QTest::newRow("5 of 5") << quint64(5) << quint64(5);
        QTest::newRow("9000 of 10000") << quint64(9000) << quint64(10000);
    }
    void wilsonMatchesCore() {
        QFETCH(quint64, k);
        QFETCH(quint64, n);
        const auto mine = wilsonInterval(k, n);
        const auto core = ilab::loadgen::wilsonInterval(k, n, 0.95);
        QVERIFY(qAbs(mine.share - core.observed) < 1e-9);
        QVERIFY2(qAbs(mine.low - core.low) < 1e-4, qPrintable(QString("%1 vs %2").arg(mine.low).arg(core.low)));
        QVERIFY(qAbs(mine.high - core.high) < 1e-4);
        QVERIFY(mine.low <= mine.share && mine.share <= mine.high);
    }

    void shareChartShowsNinetyTen() {
        ShareChart chart;
        chart.setShares({{"default-agent-stable-80", 90, 90}, {"default-agent-test-80", 10, 10}});
        QCOMPARE(chart.categoriesForTest(), QStringList({"default-agent-stable-80", "default-agent-test-80"}));
        const auto iv = chart.intervalsForTest();
        QCOMPARE(iv.size(), 2);
        QVERIFY(qAbs(iv[0].share - 0.9) < 1e-9);
        QVERIFY(qAbs(iv[1].share - 0.1) < 1e-9);
        // The configured weight lies inside the 95% band for an honest 90/10 sample of 100.
        QVERIFY(iv[0].low < 0.9 && 0.9 < iv[0].high);
        QVERIFY(iv[1].low < 0.1 && 0.1 < iv[1].high);
        // A new backend appearing rebuilds the categories; clear empties them.
        chart.setShares({{"a", 1, -1}, {"b", 1, -1}, {"c", 2, -1}});
        QCOMPARE(chart.categoriesForTest().size(), 3);
        QVERIFY(qAbs(chart.intervalsForTest()[2].share - 0.5) < 1e-9);
        chart.clear();
        QVERIFY(chart.categoriesForTest().isEmpty());
    }

    void timeSeriesCapsHistory() {
        TimeSeriesChart chart("rps", "req/s");
        chart.setWindowSeconds(60);
        chart.setMaxPoints(50);
        for (int t = 0; t < 500; ++t) chart.append(t, {{"a", double(t)}, {"b", 1.0}});
        QCOMPARE(chart.seriesCountForTest(), 2);
        QVERIFY(chart.pointCountForTest("a") <= 50);
        QCOMPARE(chart.lastValueForTest("a"), 499.0);
        chart.setMaxPoints(1000);
        for (int t = 500; t < 1000; ++t) chart.append(t, {{"a", 1.0}});
        // The 60-second window bounds the history even with a generous point cap.
        QVERIFY(chart.pointCountForTest("a") <= 63);
        chart.clear();
        QCOMPARE(chart.seriesCountForTest(), 0);
    }

    void liveChartsRouteSamples() {
        LiveCharts charts;
        TrafficSample s;
        s.timeSec = 1;
        s.backends = {{"default-agent-stable-80", 45}, {"default-agent-test-80", 5}};
        s.hasLatency = true;
        s.p50Ms = 1.5;
        s.p90Ms = 3;
        s.p99Ms = 9;
        s.status2xx = 50;
        charts.addSample(s);
        s.timeSec = 2;
        s.hasLatency = false;  // no request finished: no latency point
        charts.addSample(s);
        QCOMPARE(charts.rateChart()->seriesCountForTest(), 2);
        QCOMPARE(charts.rateChart()->pointCountForTest("default-agent-stable-80"), 2);
        QCOMPARE(charts.latencyChart()->pointCountForTest("p99"), 1);
        QCOMPARE(charts.latencyChart()->lastValueForTest("p99"), 9.0);
        QCOMPARE(charts.statusChart()->lastValueForTest("2xx"), 50.0);
        QCOMPARE(charts.statusChart()->lastValueForTest("5xx"), 0.0);
        // A backend absent from a later snapshot (no requests that second) falls to 0 instead of leaving a gap.
        s.timeSec = 3;
        s.backends = {{"default-agent-stable-80", 40}};
        charts.addSample(s);
        QCOMPARE(charts.rateChart()->pointCountForTest("default-agent-test-80"), 3);
        QCOMPARE(charts.rateChart()->lastValueForTest("default-agent-test-80"), 0.0);
    }

    void popOutAndBack() {
        LiveCharts charts;
        charts.resize(800, 400);
        charts.show();
        QSignalSpy changed(&charts, &LiveCharts::poppedOutChanged);
        // Every chart is given room: never below the minimum that keeps axis labels whole.
        QVERIFY(charts.shareChart()->minimumHeight() >= LiveCharts::MIN_CHART_HEIGHT);
        QVERIFY(charts.statusChart()->minimumHeight() >= LiveCharts::MIN_CHART_HEIGHT);
        charts.setPoppedOut(true);
        QVERIFY(charts.isPoppedOut());
        QWidget* window = charts.popOutWindow();
        QVERIFY(window && window->isWindow() && window->isVisible());
        QVERIFY(window->isAncestorOf(charts.shareChart()));
        QVERIFY(window->isAncestorOf(charts.latencyChart()));
        QVERIFY(!charts.isAncestorOf(charts.rateChart()));
        // Data keeps flowing to the popped-out charts.
        TrafficSample s;
        s.timeSec = 1;
        s.backends = {{"a", 10}};
        charts.addSample(s);
        QCOMPARE(charts.rateChart()->lastValueForTest("a"), 10.0);
        // Closing the window puts the charts back.
        window->close();
        QVERIFY(!charts.isPoppedOut());
        QVERIFY(charts.isAncestorOf(charts.rateChart()));
        QCOMPARE(changed.count(), 2);
        QCOMPARE(changed.last().at(0).toBool(), false);
        // And again through the API; destroying the widget while popped out cleans the window up.
        charts.setPoppedOut(true);
        QVERIFY(charts.isPoppedOut());
    }
};

QTEST_MAIN(LiveChartsTest)
#include "live_charts_test.moc"
