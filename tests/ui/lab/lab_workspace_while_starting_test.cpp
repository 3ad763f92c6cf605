// A workspace that reaches the lab while its controller is still starting is served once it runs. Opening a lesson
// does resetViews() + setWorkspace(), which applies at once; when that happened between Start and the controller's
// started() (the lesson's parse finishing right after Start), the lab did not send it (the controller was not
// running yet) and the controller kept serving the workspace of the Start: every request answered 404 (seen as a
// 100 % 404 "prediction" in ui_cluster_cluster_lab_test). Real requests with the real curl.
#include <QTest>

#include "app/gui/gui_services.h"
#include "core/yaml/yaml_reader.h"
#include "support/curl_service.h"
#include "ui/lab/controller_link.h"
#include "ui/lab/lab_panel.h"

using namespace ilab;
using namespace ilab::ui;
using ilab::testing::curlStatusAndService;

class LabWorkspaceWhileStartingTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void workspaceArrivingWhileStartingIsServed() {
        const app::GuiServices services;
        LabPanel lab(services.services());
        lab.setListenPorts(0, 0);
        lab.setWorkspace(model::Workspace{});  // an empty workspace at Start
        lab.start();
        QCOMPARE(lab.controllerForTest()->state(), ControllerLink::State::Starting);
        // The lesson arrives now, as opening it does.
        model::Workspace lesson;
        yaml::readPath(":/lessons/canary/workspace.yaml", lesson);
        QVERIFY(!lesson.all<model::Ingress>().empty());
        lab.resetViews();
        lab.setWorkspace(lesson);
        QTRY_VERIFY_WITH_TIMEOUT(lab.isRunning(), 30000);
        const int port = lab.controllerForTest()->httpPort();
        // Served within the controller's debounce: agent-stable or agent-test answer (404 before the fix).
        QTRY_VERIFY_WITH_TIMEOUT(curlStatusAndService(port).startsWith(QLatin1String("200 agent-")), 10000);
        lab.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!lab.isRunning(), 20000);
    }
};

QTEST_MAIN(LabWorkspaceWhileStartingTest)
#include "lab_workspace_while_starting_test.moc"
