// The routing map over the demo workspace: hosts -> paths -> services -> pods, Kiali-style percentages on the
// edges from live counts, and clicks that ask the editor to select the object.
#include <QSignalSpy>
#include <QTest>

#include "core/yaml/yaml_reader.h"
#include "ui/lab/routing_map.h"

using namespace ilab;
using namespace ilab::ui;

class RoutingMapTest : public QObject {
    Q_OBJECT
private:
    model::Workspace demo() {
        model::Workspace ws;
        yaml::readPath(":/demo/demo-workspace.yaml", ws);
        return ws;
    }
private Q_SLOTS:
    void graphFromDemo() {
        RoutingMap map;
        map.setWorkspace(demo());
        const QStringList keys = map.nodeKeysForTest();
        for (const char* k : {"host:api.example.com", "path:api.example.com|/version", "svc:default/agent-stable",
                              "svc:default/agent-test", "pod:default/agent-stable-0", "pod:default/agent-stable-2",
                              "pod:default/agent-test-0", "host:agent.example.com"})
            QVERIFY2(keys.contains(k), k);
        QVERIFY(!keys.contains("pod:default/agent-stable-3"));  // 3 replicas
        // No traffic yet: no labels.
        QCOMPARE(map.edgeLabelForTest("path:api.example.com|/version", "svc:default/agent-stable"), QString());
    }

    void edgesShowCountsAndShares() {
        RoutingMap map;
        map.setWorkspace(demo());
        map.setPods({{"default", "agent-stable-abc-0", "agent-stable", "127.0.0.1:1001", true},
                     {"default", "agent-stable-abc-1", "agent-stable", "127.0.0.1:1002", true},
                     {"default", "agent-test-def-0", "agent-test", "127.0.0.1:1003", false}});
        map.setCounts({{"default-agent-stable-80", 90}, {"default-agent-test-80", 10}},
                      {{"agent-stable-abc-0", 60}, {"agent-stable-abc-1", 30}, {"agent-test-def-0", 10}});
        const QString pathKey = "path:api.example.com|/version";
        QCOMPARE(map.edgeLabelForTest(pathKey, "svc:default/agent-stable"), QString("90 · 90.0%"));
        QCOMPARE(map.edgeLabelForTest(pathKey, "svc:default/agent-test"), QString("10 · 10.0%"));
        QCOMPARE(map.edgeLabelForTest("svc:default/agent-stable", "pod:default/agent-stable-abc-0"), QString("60 · 66.7%"));
        QCOMPARE(map.edgeLabelForTest("host:api.example.com", pathKey), QString("100 · 100.0%"));
        // The controller's pods replace the replicas drawn from the Deployments.
        QVERIFY(!map.nodeKeysForTest().contains("pod:default/agent-stable-0"));
    }

    void clickSelectsObject() {
        RoutingMap map;
        map.setWorkspace(demo());
        QSignalSpy spy(&map, &RoutingMap::objectClicked);
        map.clickNodeForTest("path:api.example.com|/version");
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), QString("Ingress"));
        QCOMPARE(spy.at(0).at(2).toString(), QString("version-stable"));
        map.clickNodeForTest("svc:default/agent-test");
        QCOMPARE(spy.at(1).at(0).toString(), QString("Service"));
        QCOMPARE(spy.at(1).at(2).toString(), QString("agent-test"));
    }
};

QTEST_MAIN(RoutingMapTest)
#include "routing_map_test.moc"
