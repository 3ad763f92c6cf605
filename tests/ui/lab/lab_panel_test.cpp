// The live lab end to end, offscreen: start the real controller on free ports from the demo workspace, send
// the lesson's 100 requests, and check that chart data, the access log, events, the controller log and the map
// fill; explain requests; a port conflict is explained in the banner; stop is clean. Every log model runs
// under QAbstractItemModelTester throughout.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include "app/gui/gui_services.h"
#include "core/yaml/yaml_reader.h"
#include "ui/charts/live_charts.h"
#include "ui/charts/share_chart.h"
#include "ui/charts/time_series_chart.h"
#include "ui/lab/controller_link.h"
#include "ui/lab/explainer_panel.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/log_table_model.h"
#include "ui/lab/routing_map.h"
#include "ui/lab/traffic_panel.h"

using namespace ilab;
using namespace ilab::ui;

namespace {
model::Workspace demo() {
    model::Workspace ws;
    yaml::readPath(":/demo/demo-workspace.yaml", ws);
    return ws;
}
bool anyCell(LogTableModel* m, int column, const QString& needle) {
    for (int r = 0; r < m->rowCount(); ++r)
        if (m->data(m->index(r, column)).toString().contains(needle)) return true;
    return false;
}
}  // namespace

class LabPanelTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void explainerDecidesTheCanarySplit() {
        // 100 consecutive random values: the canary weight (10 of 100) sends exactly 10 to agent-test.
        const auto ws = demo();
        int canary = 0, stable = 0;
        for (quint64 v = 0; v < 100; ++v) {
            ExplainRequest req;
            req.url = "http://api.example.com/version";
            req.randomValue = v;
            const auto results = ExplainerPanel::explainNow(ws, req);
            QCOMPARE(results.size(), 2);
            QCOMPARE(results[0].profile, QString("ingress-nginx"));
            QVERIFY(!results[0].trace.isEmpty());
            if (results[0].service == "agent-test") ++canary;
            else if (results[0].service == "agent-stable") ++stable;
        }
        QCOMPARE(canary, 10);
        QCOMPARE(stable, 90);
        ExplainRequest none;
        none.url = "http://nothing.example.com/";
        const auto r = ExplainerPanel::explainNow(ws, none);
        QCOMPARE(r[0].status, 404);
        QVERIFY(r[0].service.isEmpty());
    }

    void startTrafficChartsLogsStop() {
        const ilab::app::GuiServices services;
        LabPanel panel(services.services());
        panel.resize(1400, 900);
        panel.show();
        panel.setWorkspace(demo());
        panel.setListenPorts(0, 0);  // free ports
        QAbstractItemModelTester t1(panel.accessLogModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(panel.eventLogModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t3(panel.controllerLogModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy running(&panel, &LabPanel::runningChanged);
        QSignalSpy status(&panel, &LabPanel::statusTextChanged);
        QCOMPARE(panel.startStopActions().size(), 3);
        QCOMPARE(panel.startStopActions()[0]->shortcut(), QKeySequence(Qt::Key_F5));

        panel.start();
        QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 30000);
        QVERIFY2(panel.bannerText().isEmpty(), qPrintable(panel.bannerText()));
        QVERIFY2(panel.statusText().startsWith(QString::fromUtf8("Running — http://127.0.0.1:")), qPrintable(panel.statusText()));
        QVERIFY(panel.statusText().contains("https://127.0.0.1:"));
        QVERIFY(!status.isEmpty());
        QCOMPARE(running.last().at(0).toBool(), true);
        // The controller's sync shows up as events and controller log lines.
        QTRY_VERIFY_WITH_TIMEOUT(panel.eventLogModel()->rowCount() > 0, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(panel.controllerLogModel()->rowCount() > 0, 10000);

        // The lesson: 100 requests to api.example.com/version.
        auto* traffic = panel.trafficPanel();
        traffic->applyPreset(0);
        QSignalSpy finished(traffic, &TrafficPanel::trafficFinished);
        traffic->startTraffic();
        QVERIFY(finished.wait(60000));
        const QString summary = finished.at(0).at(0).toString();
        QVERIFY2(summary.contains("100 responses"), qPrintable(summary));
        QVERIFY2(summary.contains("agent-stable") && summary.contains("agent-test"), qPrintable(summary));

        // Every request is in the access log, with its upstream and pod.
        QTRY_COMPARE_WITH_TIMEOUT(panel.accessLogModel()->rowCount(), 100, 10000);
        QVERIFY(anyCell(panel.accessLogModel(), 4, "default-agent-stable-80"));
        QVERIFY(anyCell(panel.accessLogModel(), 4, "default-agent-test-80"));
        // Pod names replace upstream addresses once the controller's pod list has arrived (every second).
        QTRY_VERIFY_WITH_TIMEOUT(anyCell(panel.accessLogModel(), 5, "agent-stable-"), 5000);
        QCOMPARE(panel.accessLogModel()->data(panel.accessLogModel()->index(0, 3)).toString(), QString("200"));

        // Chart data arrives from the 1-second snapshots: both upstreams, shares summing to 100 requests.
        auto* share = panel.liveCharts()->shareChart();
        QTRY_COMPARE_WITH_TIMEOUT(share->categoriesForTest().size(), 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(panel.liveCharts()->rateChart()->seriesCountForTest() >= 2, 5000);
        // Exactly this run's requests: none of the first ones may be lost to the reset at the start.
        QTRY_COMPARE_WITH_TIMEOUT(share->totalRequests(), quint64(100), 5000);
        const auto iv = share->intervalsForTest();
        QVERIFY(qAbs(iv[0].share + iv[1].share - 1.0) < 1e-9);
        const int stableIndex = share->categoriesForTest().indexOf("default-agent-stable-80");
        QVERIFY(stableIndex >= 0);
        QVERIFY2(iv[stableIndex].share > 0.75, "the 90/10 lesson shows a clear majority for agent-stable");

        // The map labels the canary edges with live counts.
        QTRY_VERIFY_WITH_TIMEOUT(!panel.routingMap()
                                      ->edgeLabelForTest("path:api.example.com|/version", "svc:default/agent-stable")
                                      .isEmpty(),
                                 5000);

        // Stop is clean: not running, status says so, logs keep their lines.
        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning() && panel.statusText() == "Stopped", 20000);
        QCOMPARE(running.last().at(0).toBool(), false);
        QCOMPARE(panel.accessLogModel()->rowCount(), 100);
    }

    void portConflictIsExplained() {
        QTcpServer busy;
        QVERIFY(busy.listen(QHostAddress::LocalHost, 0));
        const ilab::app::GuiServices services;
        LabPanel panel(services.services());
        panel.setWorkspace(demo());
        panel.setListenPorts(busy.serverPort(), 0);
        panel.start();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.bannerText().isEmpty(), 20000);
        QVERIFY(!panel.isRunning());
        QVERIFY2(panel.bannerText().contains(QString::number(busy.serverPort())), qPrintable(panel.bannerText()));
        QVERIFY(panel.statusText().contains("failed"));
        // Once the port is free the same panel starts.
        panel.setListenPorts(0, 0);
        panel.start();
        QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 30000);
        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 20000);
    }
};

QTEST_MAIN(LabPanelTest)
#include "lab_panel_test.moc"
