#include "ui/gateway/gateway_migration_ui.h"

#include <QAction>
#include <QDockWidget>
#include <QMainWindow>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>

#include "ui/app_services.h"
#include "ui/document/workspace_document.h"
#include "ui/gateway/gateway_conversion.h"
#include "ui/gateway/migration_view.h"

namespace ilab::ui {

namespace {

void convert(QMainWindow* window, WorkspaceDocument* doc, const GatewayMigrationUi& ui) {
    const QStringList replace = gatewayObjectsToReplace(*doc);
    if (!replace.isEmpty()) {
        QMessageBox box(QMessageBox::Question, QObject::tr("Convert to Gateway API"),
                        QObject::tr("The workspace already holds %n object(s) of an earlier conversion:", nullptr, int(replace.size())) +
                            QStringLiteral("\n  ") + replace.join(QStringLiteral("\n  ")) + QStringLiteral("\n\n") +
                            QObject::tr("Replace them with a new conversion? Edit > Undo brings them back."),
                        QMessageBox::Cancel, window);
        box.setObjectName(QStringLiteral("convertReplaceBox"));
        QAbstractButton* yes = box.addButton(QObject::tr("Replace"), QMessageBox::AcceptRole);
        yes->setObjectName(QStringLiteral("replace"));
        box.exec();
        if (box.clickedButton() != yes) return;
    }
    const GatewayConversionResult res = convertToGateway(*doc);
    if (!res.converted) {
        QMessageBox::warning(window, QObject::tr("Convert to Gateway API"), res.error);
        return;
    }
    for (const QString& added : res.added)
        if (added.startsWith(QLatin1String("HTTPRoute "))) {
            const QString ref = added.mid(10);
            Q_EMIT ui.view->selectObjectRequested(QStringLiteral("HTTPRoute"), ref.section(QLatin1Char('/'), 0, 0), ref.section(QLatin1Char('/'), 1));
            break;
        }
    ui.dock->show();
    ui.dock->raise();
    window->statusBar()->showMessage(QObject::tr("Converted: %n Gateway(s)", nullptr, res.gateways) + QStringLiteral(", ") +
                                         QObject::tr("%n HTTPRoute(s) added beside the Ingresses", nullptr, res.routes) +
                                         (res.notes.isEmpty() ? QString() : QObject::tr("; %n thing(s) not carried over (Migration view)", nullptr, int(res.notes.size()))) +
                                         QObject::tr(". Edit > Undo removes them."),
                                     10000);
}

}  // namespace

GatewayMigrationUi installGatewayMigration(QMainWindow* window, WorkspaceDocument* doc, QMenu* objectMenu, QMenu* viewMenu,
                                           QDockWidget* tabifyWith, const AppServices* services) {
    GatewayMigrationUi ui;
    ui.view = new MigrationView(doc, window);
    if (services) ui.view->setLiveServices(services->controllers, services->loadGenerators);
    ui.view->setObjectName(QStringLiteral("migrationView"));
    ui.dock = new QDockWidget(QObject::tr("Migration"), window);
    ui.dock->setObjectName(QStringLiteral("migrationDock"));
    ui.dock->setWidget(ui.view);
    window->addDockWidget(Qt::BottomDockWidgetArea, ui.dock);
    if (tabifyWith) window->tabifyDockWidget(tabifyWith, ui.dock);
    if (viewMenu) {  // with the other docks, before the first separator
        QAction* before = nullptr;
        for (QAction* a : viewMenu->actions())
            if (a->isSeparator()) {
                before = a;
                break;
            }
        viewMenu->insertAction(before, ui.dock->toggleViewAction());
    }

    ui.convert = new QAction(QObject::tr("Convert to &Gateway API…"), window);
    ui.convert->setObjectName(QStringLiteral("convertToGateway"));
    ui.convert->setToolTip(QObject::tr("Add the Gateway and HTTPRoutes that replace the ingress-nginx Ingresses (as ingress2gateway "
                                       "converts them) beside the originals, and show what behaves differently"));
    if (objectMenu) {
        objectMenu->addSeparator();
        objectMenu->addAction(ui.convert);
    }
    const auto updateEnabled = [doc, action = ui.convert] { action->setEnabled(!doc->workspace().all<model::Ingress>().empty()); };
    QObject::connect(doc, &WorkspaceDocument::workspaceChanged, ui.convert, updateEnabled);
    updateEnabled();
    QObject::connect(ui.convert, &QAction::triggered, window, [window, doc, ui] { convert(window, doc, ui); });
    QObject::connect(ui.view, &MigrationView::convertRequested, window, [window, doc, ui] { convert(window, doc, ui); });
    return ui;
}

}  // namespace ilab::ui
