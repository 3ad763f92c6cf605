// Issue 15 must-fix 4 (and the progress bar of item 5), offscreen with the real local controller on free ports
// and real requests from the lab's traffic panel. A path pointed at a missing Service: 1,000 requests used to
// give "0 errors", the 503 page's HTML as a "backend" and a healthy-looking bar in the share chart. Now the
// summary counts them as errors grouped by status and cause, and the share chart draws them apart from the
// backends, in the error colour. A duration-bound run's progress bar used to stop at 99 %; it ends at 100 %.
#include <QProgressBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>

#include "app/gui/gui_services.h"
#include "core/yaml/yaml_reader.h"
#include "ui/charts/chart_style.h"
#include "ui/charts/live_charts.h"
#include "ui/charts/share_chart.h"
#include "ui/charts/time_series_chart.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/traffic_panel.h"

using namespace ilab;
using namespace ilab::ui;

namespace {

// The lesson's Ingress with the path pointed at a Service that does not exist (a typo), next to a working one.
const char* const WORKSPACE = R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: agent, namespace: default}
spec:
  ingressClassName: nginx
  rules:
  - host: api.example.com
    http:
      paths:
      - {path: /version, pathType: Prefix, backend: {service: {name: agent-stabel, port: {number: 80}}}}
      - {path: /ok, pathType: Prefix, backend: {service: {name: agent-stable, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: agent-stable}
spec:
  selector: {app: agent-stable}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: agent-stable}
spec:
  replicas: 1
  selector: {matchLabels: {app: agent-stable}}
  template:
    metadata:
      labels: {app: agent-stable}
    spec:
      containers: [{name: agent, image: agent:1.0}]
)";

model::Workspace workspace() {
    model::Workspace ws;
    yaml::readText(WORKSPACE, "broken.yaml", ws);
    return ws;
}

}  // namespace

class LabErrorResponsesTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
    }

    void brokenRouteIsCountedAsErrors() {
        const ilab::app::GuiServices services;
        LabPanel panel(services.services());
        panel.resize(1400, 900);
        panel.show();
        panel.setWorkspace(workspace());
        panel.setListenPorts(0, 0);
        panel.start();
        QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 30000);

        auto* traffic = panel.trafficPanel();
        traffic->applyPreset(0);  // the lesson preset: api.example.com/version, the broken path
        QVERIFY2(traffic->curlCommand().contains("/version"), qPrintable(traffic->curlCommand()));
        traffic->setLoad(1000, 0, 0, 8);
        QSignalSpy finished(traffic, &TrafficPanel::trafficFinished);
        traffic->startTraffic();
        QVERIFY(finished.wait(120000));
        const QString summary = finished.at(0).at(0).toString();
        QVERIFY2(summary.contains(QRegularExpression("^1[,.]?000 responses, 1[,.]?000 errors")), qPrintable(summary));
        QVERIFY2(summary.contains(QRegularExpression("Error: 503 Service not found ×1[,.]?000 \\(Service default/agent-stabel not found\\)")),
                 qPrintable(summary));
        QVERIFY2(summary.contains("No request reached a backend."), qPrintable(summary));
        QVERIFY2(!summary.contains("<html") && !summary.contains("nginx"), qPrintable(summary));

        // The share chart: no backend bar for the broken route, one error bar, drawn in the error colour.
        auto* share = panel.liveCharts()->shareChart();
        QTRY_COMPARE_WITH_TIMEOUT(share->totalRequests(), quint64(1000), 10000);
        QVERIFY2(!share->categoriesForTest().contains("default-agent-stabel-80"), qPrintable(share->categoriesForTest().join(", ")));
        QCOMPARE(share->backendCategories(), QStringList());
        QCOMPARE(share->errorCategories(), QStringList{"503 Service not found"});
        QCOMPARE(share->barColorForTest(0), charts::errorColor());
        // The requests-per-second chart: an error line of its own, no line for the missing Service.
        auto* rate = panel.liveCharts()->rateChart();
        QTRY_VERIFY_WITH_TIMEOUT(rate->pointCountForTest("error answers (no backend)") > 0, 10000);
        QCOMPARE(rate->pointCountForTest("default-agent-stabel-80"), 0);
        QVERIFY(rate->lastValueForTest("error answers (no backend)") >= 0);
        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 20000);
    }

    void mixedTrafficDrawsErrorsApart() {
        const ilab::app::GuiServices services;
        LabPanel panel(services.services());
        panel.resize(1400, 900);
        panel.show();
        panel.setWorkspace(workspace());
        panel.setListenPorts(0, 0);
        panel.start();
        QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 30000);
        auto* traffic = panel.trafficPanel();
        // Half the requests to the working path: its share is of all answered requests (50 %), and the error
        // group stays apart from it. The header-canary preset has two request rows; both to the lesson path. Point the second at /ok by
        // editing its Path cell, as a user would.
        traffic->applyPreset(3);
        auto* table = traffic->findChild<QTableWidget*>();
        QVERIFY(table && table->rowCount() == 2);
        table->item(1, 2)->setText("/ok");
        traffic->setLoad(200, 0, 0, 4);
        QSignalSpy finished(traffic, &TrafficPanel::trafficFinished);
        traffic->startTraffic();
        QVERIFY(finished.wait(120000));
        const QString summary = finished.at(0).at(0).toString();
        QVERIFY2(summary.contains("200 responses, 100 errors"), qPrintable(summary));
        QVERIFY2(summary.contains("agent-stable: 100"), qPrintable(summary));

        auto* share = panel.liveCharts()->shareChart();
        QTRY_COMPARE_WITH_TIMEOUT(share->totalRequests(), quint64(200), 10000);
        QCOMPARE(share->backendCategories(), QStringList{"default-agent-stable-80"});
        QCOMPARE(share->errorCategories(), QStringList{"503 Service not found"});
        const auto cats = share->categoriesForTest();
        QCOMPARE(cats.indexOf("503 Service not found"), 1);  // after the backends
        QVERIFY(share->barColorForTest(0) != charts::errorColor());
        QCOMPARE(share->barColorForTest(1), charts::errorColor());
        QVERIFY(qAbs(share->intervalsForTest()[0].share - 0.5) < 1e-9);
        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 20000);
    }

    void progressEndsAtHundredPercent() {
        const ilab::app::GuiServices services;
        LabPanel panel(services.services());
        panel.show();
        panel.setWorkspace(workspace());
        panel.setListenPorts(0, 0);
        panel.start();
        QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 30000);
        auto* traffic = panel.trafficPanel();
        traffic->applyPreset(0);
        // Duration-bound, open model: the last request starts before the second is over and finishes just
        // after it started, so the run's measured time is a little short of its duration.
        traffic->setLoad(0, 1, 10, 2);
        QSignalSpy finished(traffic, &TrafficPanel::trafficFinished);
        traffic->startTraffic();
        QVERIFY(finished.wait(60000));
        auto* bar = traffic->findChild<QProgressBar*>();
        QVERIFY(bar);
        QVERIFY2(bar->maximum() > 0 && bar->value() == bar->maximum(),
                 qPrintable(QString("%1 of %2: %3").arg(bar->value()).arg(bar->maximum()).arg(bar->text())));
        QCOMPARE(bar->text(), QString("100%"));
        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 20000);
    }
};

QTEST_MAIN(LabErrorResponsesTest)
#include "lab_error_responses_test.moc"
