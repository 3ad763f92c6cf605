#pragma once

#include <memory>

#include <QWidget>

#include "core/gateway/migration_check.h"
#include "core/model/workspace.h"
#include "ui/app_services.h"

class QLabel;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace ilab::ui {

class CompareView;
class ExplainerPanel;
class MigrationLive;
class WorkspaceDocument;

// The Migration view (issue 14 item 4): what changes, request by request, when the workspace's ingress-nginx
// Ingresses move to Gateway API. It runs gateway::checkMigration (the code behind `ingress-lab-cli migrate
// --check`) on the document's workspace: against the Gateways/HTTPRoutes already in the workspace (after "Convert to
// Gateway API", edits included), or against a fresh conversion when there are none. The differences are grouped by
// cause; selecting one routes its request in the embedded explainer on both sides (ingress-nginx on the Ingresses,
// gateway on the Gateway API objects). A last group lists what the conversion could not carry over.
//
// With services (local controllers and load generators from the composition root), a "Live traffic" tab sends the
// same requests (the check's corpus) for real to an ingress-nginx controller on the Ingresses and a Gateway API
// controller on the converted objects and shows both side by side (MigrationLive, CompareView).
//
// The check runs on the global thread pool (400 weighted samples per request and side), only while the view is
// visible; a newer workspace drops older results. GUI thread; owned by the MainWindow's dock (or a test).
class MigrationView : public QWidget {
    Q_OBJECT
public:
    explicit MigrationView(WorkspaceDocument* doc, QWidget* parent = nullptr);
    ~MigrationView() override;

    // Adds the "Live traffic" tab (both factories needed).
    void setLiveServices(LocalControllerFactory controllers, LoadGeneratorFactory generators);
    // Sends the current report's corpus to both controllers (the tab's button); false when it cannot start now.
    bool runLive();
    CompareView* liveView() const { return m_live; }
    MigrationLive* liveRunnerForTest() const { return m_liveRunner; }

    // Runs the check now on the document's current workspace (also when hidden).
    void refresh();
    bool isChecking() const { return m_running; }
    const gateway::MigrationReport& report() const { return *m_report; }
    QString summaryText() const;
    QTreeWidget* differencesTree() const { return m_tree; }
    ExplainerPanel* explainer() const { return m_explainer; }
    // Selects difference `index` of report().differences and explains its request on both sides.
    bool openDifference(int index);

    enum { DifferenceRole = 0x0100 + 1 };  // Qt::UserRole + 1: index into report().differences (-1 = group/note)

Q_SIGNALS:
    void checked();  // a report for the current workspace is shown
    void convertRequested();
    void selectObjectRequested(const QString& kind, const QString& ns, const QString& name);
    void revealSourceRequested(const QString& file, int line, int column);

protected:
    void showEvent(QShowEvent* e) override;

private:
    void onWorkspaceChanged();
    void showReport(std::shared_ptr<const gateway::MigrationReport> report, std::shared_ptr<const model::Workspace> gatewaySide);
    void onCurrentItemChanged(QTreeWidgetItem* item);

    WorkspaceDocument* m_doc;
    std::shared_ptr<const gateway::MigrationReport> m_report;
    std::shared_ptr<const model::Workspace> m_gatewaySide;  // Ingresses + the Gateway API objects the check routed
    QLabel* m_summary = nullptr;
    QPushButton* m_convert = nullptr;
    QPushButton* m_recheck = nullptr;
    QTreeWidget* m_tree = nullptr;
    ExplainerPanel* m_explainer = nullptr;
    QTabWidget* m_tabs = nullptr;
    CompareView* m_live = nullptr;
    MigrationLive* m_liveRunner = nullptr;
    QPushButton* m_liveRun = nullptr;
    QSpinBox* m_livePerRoute = nullptr;
    QLabel* m_liveStatus = nullptr;
    quint64 m_generation = 0;
    bool m_stale = true;
    bool m_running = false;
};

}  // namespace ilab::ui
