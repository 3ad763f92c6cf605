// Traffic presets from the demo workspace and the equivalent curl command.
#include <QTest>

#include "app/gui/gui_services.h"
#include "core/yaml/yaml_reader.h"
#include "ui/lab/traffic_panel.h"

using namespace ilab;
using namespace ilab::ui;

class TrafficPanelTest : public QObject {
    Q_OBJECT
private:
    model::Workspace demo() {
        model::Workspace ws;
        yaml::readPath(":/demo/demo-workspace.yaml", ws);
        return ws;
    }
private Q_SLOTS:
    void presetsFromDemo() {
        const auto presets = trafficPresets(demo());
        // The canary workspace's five, then its topic presets (it also has CORS, TLS and several hosts).
        QCOMPARE(presets.size(), 8);
        QCOMPARE(presets[5].name, QString("CORS preflight"));
        QVERIFY(presets[6].name.startsWith("TLS"));
        QVERIFY(presets[7].name.startsWith("Host routing"));
        QCOMPARE(presets[5].targets[0].method, QString("OPTIONS"));
        for (const auto& t : presets[6].targets.mid(0, presets[6].targets.size() - 2)) QCOMPARE(t.scheme, QString("https"));
        const auto& lesson = presets[0];
        QCOMPARE(lesson.requests, 100);
        QCOMPARE(lesson.targets.size(), 1);
        QCOMPARE(lesson.targets[0].host, QString("api.example.com"));
        QCOMPARE(lesson.targets[0].path, QString("/version"));
        QCOMPARE(lesson.expectedShares.value("agent-stable"), 0.9);
        QCOMPARE(lesson.expectedShares.value("agent-test"), 0.1);
        QCOMPARE(presets[1].rate, 50.0);
        QCOMPARE(presets[2].targets[0].path, QString("/api/limited"));
        QVERIFY(presets[2].note.contains("limit-rps 5"));
        QCOMPARE(presets[3].targets.size(), 2);
        QVERIFY(!presets[3].targets[0].headers.isEmpty());
        QVERIFY(!presets[4].targets[0].cookies.isEmpty());
    }

    void configAndCurl() {
        TrafficPanel panel(ilab::app::makeLoadGeneratorFactory());
        panel.setWorkspace(demo());
        panel.setProxyPorts(18080, 18443);
        const auto cfg = panel.config();
        QCOMPARE(cfg.targets.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(cfg.targets[0].url), QString("http://api.example.com:18080/version"));
        QCOMPARE(cfg.resolve, std::vector<std::string>{"api.example.com:18080:127.0.0.1"});
        QCOMPARE(cfg.requests, std::uint64_t(100));
        const QString curl = panel.curlCommand();
        QVERIFY2(curl.contains("--resolve api.example.com:18080:127.0.0.1 http://api.example.com:18080/version"),
                 qPrintable(curl));
        QVERIFY(curl.startsWith("for i in $(seq 100)"));
        panel.applyPreset(4);  // cookie canary
        QVERIFY2(panel.curlCommand().contains("--cookie"), qPrintable(panel.curlCommand()));
        QCOMPARE(panel.config().targets.size(), std::size_t(2));
        QVERIFY(!panel.config().targets[0].cookies.empty());
    }
};

QTEST_MAIN(TrafficPanelTest)
#include "traffic_panel_test.moc"
