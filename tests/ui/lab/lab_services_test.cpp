// The lab works with the services the composition root hands in (issue 12 item 1): it drives the injected
// controller rather than one of its own, makes every traffic run through the injected factory, reports a
// missing factory instead of crashing, and the controller keeps serving until its owner (GuiServices) is gone,
// whose destructor stops it and ends its control thread.
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include "app/gui/gui_services.h"
#include "core/controller/local_controller.h"
#include "core/loadgen/load_generator.h"
#include "core/yaml/yaml_reader.h"
#include "ui/lab/controller_link.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/traffic_panel.h"

using namespace ilab;
using namespace ilab::ui;

namespace {
model::Workspace demo() {
    model::Workspace ws;
    yaml::readPath(":/demo/demo-workspace.yaml", ws);
    return ws;
}

// True when a TCP connection to 127.0.0.1:port is accepted (false: refused or timed out).
bool accepts(int port) {
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, quint16(port));
    return s.waitForConnected(5000);
}
}  // namespace

class LabServicesTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void panelUsesTheInjectedControllerAndFactory() {
        const app::GuiServices owner;
        AppServices services = owner.services();
        // A factory that counts the runs and what they were asked for, and makes them as the app does.
        int made = 0;
        std::uint64_t requested = 0;
        const auto real = app::makeLoadGeneratorFactory();
        services.loadGenerators = [&](const loadgen::LoadConfig& config) {
            ++made;
            requested = config.requests;
            return real(config);
        };

        LabPanel panel(services);
        panel.setWorkspace(demo());
        panel.setListenPorts(0, 0);
        panel.start();
        QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 30000);
        // The link reads the injected controller's ring buffers: there is no second controller.
        QVERIFY(panel.controllerForTest()->accessLog());
        QVERIFY(panel.controllerForTest()->accessLog() == services.controller->accessLog());
        QVERIFY(panel.controllerForTest()->eventLog() == services.controller->eventLog());

        auto* traffic = panel.trafficPanel();
        traffic->applyPreset(0);  // the lesson's 100 requests
        QSignalSpy finished(traffic, &TrafficPanel::trafficFinished);
        traffic->startTraffic();
        QVERIFY(finished.wait(60000));
        QCOMPARE(made, 1);
        QCOMPARE(requested, std::uint64_t(100));
        const QString summary = finished.at(0).at(0).toString();
        QVERIFY2(summary.contains("100 responses"), qPrintable(summary));

        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 20000);
    }

    void trafficPanelWithoutFactorySaysSo() {
        TrafficPanel panel(LoadGeneratorFactory{});
        panel.setWorkspace(demo());
        panel.applyPreset(0);
        panel.setProxyPorts(8080, 8443);  // nothing is sent: there is no generator to send with
        QSignalSpy message(&panel, &TrafficPanel::message);
        QSignalSpy started(&panel, &TrafficPanel::trafficStarted);
        panel.startTraffic();
        QCOMPARE(message.size(), 1);
        QVERIFY2(message.at(0).at(0).toString().contains("no traffic generator"), qPrintable(message.at(0).at(0).toString()));
        QCOMPARE(started.size(), 0);
        QVERIFY(!panel.isRunning());
    }

    void servicesStopTheControllerAfterTheWindowIsGone() {
        int port = 0;
        {
            const app::GuiServices owner;
            // The controller runs on its own control thread, not the GUI's.
            QThread* controlThread = owner.services().controller->thread();
            QVERIFY(controlThread != QThread::currentThread());
            QVERIFY(controlThread->isRunning());
            QCOMPARE(controlThread->objectName(), QString("ilab-control"));
            {
                LabPanel panel(owner.services());
                panel.setWorkspace(demo());
                panel.setListenPorts(0, 0);
                panel.start();
                QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 30000);
                port = panel.controllerForTest()->httpPort();
                QVERIFY(port > 0);
            }
            // The panel is gone; the controller is its owner's and still serves.
            QVERIFY(accepts(port));
        }
        // The owner stopped it: the listeners are closed.
        QVERIFY(!accepts(port));
    }
};

QTEST_MAIN(LabServicesTest)
#include "lab_services_test.moc"
