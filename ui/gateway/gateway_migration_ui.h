#pragma once

class QAction;
class QDockWidget;
class QMainWindow;
class QMenu;

namespace ilab::ui {

class MigrationView;
class WorkspaceDocument;
struct AppServices;

// The Gateway API migration pieces of the designer window (issue 14), kept out of main_window.cpp: the
// "Convert to Gateway API…" action (Object menu, which is also the workspace tree's context menu), the Migration
// dock (tabbed with `tabifyWith`) and its View menu toggle.
struct GatewayMigrationUi {
    QAction* convert = nullptr;
    QDockWidget* dock = nullptr;
    MigrationView* view = nullptr;
};

// Convert: asks before replacing same-named Gateway API objects of an earlier conversion, converts (one undo step),
// then selects the first HTTPRoute and raises the Migration view, which lists what the conversion could not carry
// over and the requests that will behave differently. The action is enabled while the workspace has Ingresses.
// The view's selectObjectRequested / revealSourceRequested are for the window to connect.
// With `services` (local controllers and load generators), the Migration view offers its "Live traffic" tab.
GatewayMigrationUi installGatewayMigration(QMainWindow* window, WorkspaceDocument* doc, QMenu* objectMenu, QMenu* viewMenu,
                                           QDockWidget* tabifyWith, const AppServices* services = nullptr);

}  // namespace ilab::ui
