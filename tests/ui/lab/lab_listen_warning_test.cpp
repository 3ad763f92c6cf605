// The lab bound to a non-loopback address says so in its banner while it runs (the proxy, its fake certificate
// and the simulated pods are then reachable from the network); on loopback there is no banner. 0.0.0.0 is
// bound on free ports only to see the banner: no request is sent.
#include <QTest>

#include "app/gui/gui_services.h"
#include "core/yaml/yaml_reader.h"
#include "ui/lab/lab_panel.h"

using namespace ilab;
using namespace ilab::ui;

class LabListenWarningTest : public QObject {
    Q_OBJECT

    static model::Workspace demo() {
        model::Workspace ws;
        yaml::readPath(":/demo/demo-workspace.yaml", ws);
        return ws;
    }

private Q_SLOTS:
    void wildcardAddressShowsTheWarningLoopbackDoesNot() {
        const ilab::app::GuiServices services;
        LabPanel panel(services.services());
        panel.setWorkspace(demo());
        panel.setListenPorts(0, 0);
        panel.setListenAddress(QStringLiteral("0.0.0.0"));
        panel.start();
        QTRY_VERIFY_WITH_TIMEOUT(panel.isRunning(), 30000);
        const QString banner = panel.bannerText();
        QVERIFY2(banner.contains(QStringLiteral("non-loopback address (http=0.0.0.0:")), qPrintable(banner));
        QVERIFY2(banner.contains(QStringLiteral("reachable from the network")), qPrintable(banner));
        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning() && panel.statusText() == "Stopped", 20000);

        panel.setListenAddress(QStringLiteral("127.0.0.1"));
        panel.start();
        QTRY_VERIFY2_WITH_TIMEOUT(panel.isRunning(), qPrintable(panel.bannerText() + " / " + panel.statusText()), 30000);
        QVERIFY2(panel.bannerText().isEmpty(), qPrintable(panel.bannerText()));
        panel.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning() && panel.statusText() == "Stopped", 20000);
    }
};

QTEST_MAIN(LabListenWarningTest)
#include "lab_listen_warning_test.moc"
