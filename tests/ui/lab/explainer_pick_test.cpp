// "Pick from access log": the explainer's request is rebuilt from the structured access record kept with the
// row (Host, scheme, method, target, client IP), never guessed from the traffic mix. The record is appended the
// way the controller's telemetry does it (events::appendAccessRecord) into the running controller's access ring.
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include "app/gui/gui_services.h"
#include "core/events/access_meta.h"
#include "core/events/line_log.h"
#include "core/events/log_format.h"
#include "core/yaml/yaml_reader.h"
#include "ui/lab/controller_link.h"
#include "ui/lab/explainer_panel.h"
#include "ui/lab/lab_feeds.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/log_table_model.h"
#include "ui/lab/traffic_panel.h"

using namespace ilab;
using namespace ilab::ui;

namespace {
model::Workspace demo() {
    model::Workspace ws;
    yaml::readPath(":/demo/demo-workspace.yaml", ws);
    return ws;
}
proxy::AccessRecord record(const std::string& method, const std::string& scheme, const std::string& host,
                           const std::string& target) {
    proxy::AccessRecord r;
    r.timeMs = 1'790'000'000'000;
    r.clientIp = "10.1.2.3";
    r.method = method;
    r.target = target;
    r.host = host;
    r.scheme = scheme;
    r.status = 200;
    r.upstreamName = "default-dashboard-service-80";
    r.upstreamAddr = "127.0.0.1:40009";
    r.upstreamStatus = 200;
    r.ingress = "default/hosts";
    r.requestId = "0123456789abcdef0123456789abcdef";
    return r;
}
}  // namespace

class ExplainerPickTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pickUsesTheRecordedHost() {
        const ilab::app::GuiServices services;
        LabPanel panel(services.services());
        panel.setWorkspace(demo());
        panel.setListenPorts(0, 0);
        panel.start();
        QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 30000);
        // The traffic mix says api.example.com; the picked requests say otherwise and must win.
        panel.trafficPanel()->applyPreset(0);
        auto log = panel.controllerForTest()->accessLog();
        events::appendAccessRecord(*log, record("POST", "http", "dashboard.example.com", "/settings?tab=2"));
        events::appendAccessRecord(*log, record("GET", "https", "webhook.example.com", "/hook"));
        log->append("garbage line without a record");
        auto* model = panel.accessLogModel();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, 5000);
        QCOMPARE(model->data(model->index(0, 9)).toString(), QString("dashboard.example.com"));  // Host column

        QSignalSpy explained(panel.explainer(), &ExplainerPanel::explained);
        QVERIFY(panel.pickFromAccessLog(0));
        ExplainRequest req = panel.explainer()->request();
        QCOMPARE(req.url, QString("http://dashboard.example.com/settings?tab=2"));
        QCOMPARE(req.method, QString("POST"));
        QCOMPARE(req.clientIp, QString("10.1.2.3"));
        QVERIFY(explained.wait(10000));
        const auto results = explained.last().at(0).value<QVector<ExplainResult>>();
        QVERIFY(!results.isEmpty());
        QCOMPARE(results[0].service, QString("dashboard-service"));
        QVERIFY(panel.bannerText().isEmpty());

        QVERIFY(panel.pickFromAccessLog(1));
        req = panel.explainer()->request();
        QCOMPARE(req.url, QString("https://webhook.example.com/hook"));
        QCOMPARE(req.method, QString("GET"));
        QVERIFY(explained.wait(10000));
        QCOMPARE(explained.last().at(0).value<QVector<ExplainResult>>()[0].service, QString("webhook-service"));

        // A line without a request record is not an access line: nothing is picked or guessed.
        QVERIFY(!panel.pickFromAccessLog(2));
        QCOMPARE(panel.explainer()->request().url, QString("https://webhook.example.com/hook"));
        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 20000);
    }

    void realTrafficCarriesItsHostIntoTheAccessLog() {
        // End to end: a real request through the running controller is stored with its record (Host, scheme),
        // so the Host column and "pick" work for traffic the user sent from anywhere (here: the real curl).
        const ilab::app::GuiServices services;
        LabPanel panel(services.services());
        panel.setWorkspace(demo());
        panel.setListenPorts(0, 0);
        panel.start();
        QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 30000);
        const int port = panel.controllerForTest()->httpPort();
        QVERIFY(port > 0);
        QProcess curl;
        curl.start("curl", {"-s", "-o", "/dev/null", "-H", "Host: dashboard.example.com",
                            QStringLiteral("http://127.0.0.1:%1/reports?month=11").arg(port)});
        QVERIFY(curl.waitForFinished(15000));
        auto* model = panel.accessLogModel();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, 10000);
        QCOMPARE(model->data(model->index(0, 9)).toString(), QString("dashboard.example.com"));  // Host column
        // Time (ms) from the record's microseconds: a loopback request is far below nginx's 1 ms log resolution.
        const double ms = model->data(model->index(0, 7)).toString().toDouble();
        QVERIFY2(ms > 0 && ms < 10000, qPrintable(model->data(model->index(0, 7)).toString()));
        QVERIFY(panel.pickFromAccessLog(0));
        QCOMPARE(panel.explainer()->request().url, QString("http://dashboard.example.com/reports?month=11"));
        QVERIFY(panel.bannerText().isEmpty());
        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 20000);
    }

    void pickWithoutRecordSaysSoInsteadOfGuessing() {
        // An access line the controller wrote without its record (older controller): the URL has no host and the
        // banner explains why, rather than borrowing the traffic mix's host.
        const ilab::app::GuiServices services;
        LabPanel panel(services.services());
        panel.setWorkspace(demo());
        panel.setListenPorts(0, 0);
        panel.start();
        QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 30000);
        panel.trafficPanel()->applyPreset(0);
        auto log = panel.controllerForTest()->accessLog();
        log->append(events::formatAccessLog(record("GET", "http", "dashboard.example.com", "/plain")));
        QTRY_COMPARE_WITH_TIMEOUT(panel.accessLogModel()->rowCount(), 1, 5000);
        QVERIFY(panel.pickFromAccessLog(0));
        QCOMPARE(panel.explainer()->request().url, QString("http:///plain"));
        QVERIFY2(panel.bannerText().contains("Host is unknown"), qPrintable(panel.bannerText()));
        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 20000);
    }
};

QTEST_MAIN(ExplainerPickTest)
#include "explainer_pick_test.moc"
