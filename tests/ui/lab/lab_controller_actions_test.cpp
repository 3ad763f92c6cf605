// The live lab drives the real controller: scaling a Deployment and killing a pod from the routing map make the
// controller react (events in the events model, 503 when no endpoints are left, 200 again after scaling back),
// and a live edit of the workspace while traffic flows is applied (debounced) with a "Sync" event and without a
// single failed request. Real controller on free ports, real HTTP through libcurl.
#include <curl/curl.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "app/gui/gui_services.h"
#include "core/yaml/yaml_reader.h"
#include "ui/lab/controller_link.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/log_table_model.h"
#include "ui/lab/routing_map.h"
#include "ui/lab/traffic_panel.h"

using namespace ilab;
using namespace ilab::ui;

namespace {

QString demoText() {
    QFile f(":/demo/demo-workspace.yaml");
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll());
}

model::Workspace workspaceFrom(const QString& text) {
    model::Workspace ws;
    yaml::readText(text.toStdString(), "demo-workspace.yaml", ws);
    return ws;
}

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

// One GET through the proxy with the given Host; the HTTP status, or 0 when no response arrived.
int httpStatus(int port, const QString& host, const QString& path) {
    CURL* curl = curl_easy_init();
    const std::string url = QStringLiteral("http://%1:%2%3").arg(host).arg(port).arg(path).toStdString();
    const std::string resolve = QStringLiteral("%1:%2:127.0.0.1").arg(host).arg(port).toStdString();
    curl_slist* resolveList = curl_slist_append(nullptr, resolve.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_RESOLVE, resolveList);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(resolveList);
    curl_easy_cleanup(curl);
    return int(status);
}

// Rows of the events model (Last seen, Type, Reason, Object, Count, Message) with this reason and object.
int eventRows(LogTableModel* events, const QString& reason, const QString& object, std::uint64_t afterId = 0) {
    int n = 0;
    for (int r = 0; r < events->rowCount(); ++r) {
        const LogRow* row = events->rowAt(r);
        if (!row || row->id <= afterId) continue;
        if (events->data(events->index(r, 2)).toString() == reason &&
            events->data(events->index(r, 3)).toString() == object)
            ++n;
    }
    return n;
}

QStringList podsOf(ControllerLink* link, const QString& deployment) {
    QStringList out;
    for (const auto& p : link->pods())
        if (p.deployment == deployment && p.ready) out << p.name;
    return out;
}

}  // namespace

class LabControllerActionsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    void cleanupTestCase() { curl_global_cleanup(); }

    void scaleAndKillFromTheMap() {
        const ilab::app::GuiServices services;
        LabPanel panel(services.services());
        panel.setWorkspace(workspaceFrom(demoText()));
        panel.setListenPorts(0, 0);
        QAbstractItemModelTester tester(panel.eventLogModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        panel.start();
        QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 30000);
        auto* link = panel.controllerForTest();
        const int port = link->httpPort();
        auto* map = panel.routingMap();
        auto* events = panel.eventLogModel();
        QTRY_VERIFY_WITH_TIMEOUT(podsOf(link, "dashboard").size() == 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(httpStatus(port, "dashboard.example.com", "/"), 200, 10000);

        // Scale to 0 from the map: the controller scales the ReplicaSet, the Service has no endpoints, 503.
        Q_EMIT map->scaleDeploymentRequested("default", "dashboard", 0);
        QTRY_VERIFY_WITH_TIMEOUT(eventRows(events, "ScalingReplicaSet", "Deployment default/dashboard") >= 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(httpStatus(port, "dashboard.example.com", "/"), 503, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(podsOf(link, "dashboard").isEmpty(), 10000);
        // The map shows no pod for the Service any more.
        QTRY_VERIFY_WITH_TIMEOUT(map->nodeKeysForTest().filter("pod:default/dashboard").isEmpty(), 10000);

        // Scale back to 1: a new pod, endpoints again, 200.
        Q_EMIT map->scaleDeploymentRequested("default", "dashboard", 1);
        QTRY_VERIFY_WITH_TIMEOUT(eventRows(events, "ScalingReplicaSet", "Deployment default/dashboard") >= 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(httpStatus(port, "dashboard.example.com", "/"), 200, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!map->nodeKeysForTest().filter("pod:default/dashboard").isEmpty(), 10000);

        // Kill one of agent-stable's three pods from the map: a Killing event for that pod; the route keeps answering.
        QTRY_VERIFY_WITH_TIMEOUT(podsOf(link, "agent-stable").size() == 3, 10000);
        const QString victim = podsOf(link, "agent-stable").first();
        Q_EMIT map->killPodRequested("default", victim);
        QTRY_VERIFY_WITH_TIMEOUT(eventRows(events, "Killing", "Pod default/" + victim) >= 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!podsOf(link, "agent-stable").contains(victim), 10000);
        int ok = 0;
        for (int i = 0; i < 20; ++i) ok += httpStatus(port, "api.example.com", "/version") == 200 ? 1 : 0;
        QCOMPARE(ok, 20);

        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 20000);
    }

    void liveEditSyncsWhileTrafficFlows() {
        const ilab::app::GuiServices services;
        LabPanel panel(services.services());
        const QString text = demoText();
        QVERIFY(text.contains("canary-weight: \"10\""));
        panel.setWorkspace(workspaceFrom(text));
        panel.setListenPorts(0, 0);
        panel.start();
        QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 30000);
        auto* events = panel.eventLogModel();
        const QString canary = "Ingress default/version-canary";
        QTRY_VERIFY_WITH_TIMEOUT(eventRows(events, "Sync", canary) >= 1, 10000);
        events->pullNow();
        const std::uint64_t before = events->lastId();

        // Steady traffic to the canary route for 4 s; edit the weight (as the editor would, keystroke by
        // keystroke) one second in.
        auto* traffic = panel.trafficPanel();
        traffic->applyPreset(1);
        traffic->setLoad(0, 4, 200, 4);
        QSignalSpy finished(traffic, &TrafficPanel::trafficFinished);
        traffic->startTraffic();
        QTest::qWait(1000);
        for (const char* weight : {"5", "50"}) {
            QString edited = text;
            edited.replace("canary-weight: \"10\"", QStringLiteral("canary-weight: \"%1\"").arg(weight));
            panel.setWorkspace(workspaceFrom(edited));
            QTest::qWait(50);
        }
        QVERIFY(finished.wait(30000));
        const QString summary = finished.at(0).at(0).toString();
        QVERIFY2(summary.contains(" 0 errors"), qPrintable(summary));
        QVERIFY2(!summary.contains("×5") && !summary.contains("×4"), qPrintable(summary));  // only 2xx statuses

        // The edit reached the controller (debounced: one Sync for the canary Ingress after the edit) and the
        // new weight serves: about half of the requests after the edit go to agent-test.
        QTRY_VERIFY_WITH_TIMEOUT(eventRows(events, "Sync", canary, before) >= 1, 10000);
        QVERIFY2(eventRows(events, "Sync", canary, before) <= 2, "keystrokes are debounced into one or two syncs");
        const int port = panel.controllerForTest()->httpPort();
        Q_UNUSED(port);
        traffic->applyPreset(0);
        QSignalSpy finished2(traffic, &TrafficPanel::trafficFinished);
        traffic->startTraffic();
        QVERIFY(finished2.wait(30000));
        const QString lesson = finished2.at(0).at(0).toString();
        QRegularExpression testCount("agent-test: (\\d+)");
        const auto m = testCount.match(lesson);
        QVERIFY2(m.hasMatch(), qPrintable(lesson));
        // 100 requests at weight 50: far from the old 10 (P(<= 30) is ~1e-5 at 50 %).
        QVERIFY2(m.captured(1).toInt() > 30, qPrintable(lesson));

        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 20000);
    }
};

QTEST_MAIN(LabControllerActionsTest)
#include "lab_controller_actions_test.moc"
