#pragma once

#include <QList>
#include <QWidget>

#include "core/model/workspace.h"
#include "ui/app_services.h"

class QAction;

namespace ilab::ui {

class ClusterBackends;
class ClusterControllerLog;
class CompareRunner;
class CompareView;
class ControllerLink;
class ExplainerPanel;
class LogTableModel;
class RoutingMap;
class TrafficPanel;
namespace charts {
class LiveCharts;
}

// The live lab (issue 7): run controls, traffic panel, live charts, logs, routing map and explainer, in one
// widget that the designer's MainWindow embeds (a dock or a bottom area). Lives on the GUI thread. Drives the
// LocalController (which runs on its own control thread) and makes its load generators through the services
// the composition root hands in (AppServices); it creates neither the controller nor its thread.
//
// Contract with the designer (ui/main_window.*), fixed so both can be built in parallel:
//  - The main window calls setWorkspace() whenever the edited workspace changes (debounced by the lab).
//  - startStopActions() are put in the main toolbar and menus by the main window.
//  - When the lab wants the editor to show something it emits selectObjectRequested / revealSourceRequested.
//  - statusText() is shown in the status bar (listening addresses) and changes with statusTextChanged.
class LabPanel : public QWidget {
    Q_OBJECT
public:
    explicit LabPanel(const AppServices& services, QWidget* parent = nullptr);
    ~LabPanel() override;

    void setWorkspace(const model::Workspace& ws);
    QList<QAction*> startStopActions() const;  // Start, Stop (and Restart) with icons and shortcuts (F5 / Shift+F5)
    QString statusText() const;
    bool isRunning() const;

    // Additions (lab-owned; the designer does not need them):
    // Ports the controller listens on at the next start (defaults 8080 / 8443; 0 = pick a free port).
    void setListenPorts(int httpPort, int httpsPort);
    // The IP address the HTTP and HTTPS listeners bind at the next start (default 127.0.0.1). Anything but a
    // loopback address puts the lab (proxy, fake certificate, simulated pods) on the network: the banner says so
    // while it runs.
    void setListenAddress(const QString& address);
    // The visible error banner ("" when none): start failures, refused pod actions.
    QString bannerText() const;
    // Workspace edits the lab holds back (the YAML does not parse, or the API server would reject it): the
    // controller keeps serving the last valid workspace. setHeldBack("") clears it; setWorkspace() clears it too.
    void setHeldBack(const QString& reason);
    // Another workspace or lesson was opened: the traffic rows, summary, charts and share legend start afresh.
    void resetViews();
    QString heldBackText() const;
    void showTab(const QString& name);  // "Traffic", "Explain", "Compare", "Charts", "Map", "Access log", "Events", "Controller log"
    // "Pick" access-log row `row` for the explainer (what a double-click does): the request is rebuilt from the
    // structured access record kept with the row (Host, scheme, method, target, client IP) and explained.
    // False when the row is not a parsed access line.
    bool pickFromAccessLog(int row);

    // The lab's handle on the controller (Check my work syncs the edited workspace through it).
    ControllerLink* controller() const;

    // Parts, for tests and the benchmark.
    ControllerLink* controllerForTest() const;
    TrafficPanel* trafficPanel() const;
    charts::LiveCharts* liveCharts() const;
    RoutingMap* routingMap() const;
    ExplainerPanel* explainer() const;
    LogTableModel* accessLogModel() const;
    LogTableModel* eventLogModel() const;
    LogTableModel* controllerLogModel() const;
    // The "Use cluster pods" toggle's logic (null without a cluster session in the services).
    ClusterBackends* clusterBackends() const;
    // "Predicted vs observed" (the Compare tab) and the runner behind it.
    CompareView* compareView() const;
    CompareRunner* compareRunner() const;
    // The cluster controller's own log ("Cluster access log" / "Cluster controller log" tabs; null without a
    // cluster session).
    ClusterControllerLog* clusterControllerLog() const;
    LogTableModel* clusterAccessLogModel() const;
    LogTableModel* clusterControllerLogModel() const;

public Q_SLOTS:
    void start();
    void stop();
    void restart();

Q_SIGNALS:
    void selectObjectRequested(const QString& kind, const QString& ns, const QString& name);
    void revealSourceRequested(const QString& file, int line, int column);
    void statusTextChanged(const QString& text);
    void runningChanged(bool running);

private:
    struct Impl;
    Impl* m_impl = nullptr;
};

}  // namespace ilab::ui
