// ingress-lab: the designer window. Composition root of the GUI (style.md A.2): creates the application, the
// core services with their threads (GuiServices: the controller on its control thread, the load generators, the
// cluster session slot) and the main window, and hands the services to the window. The window owns the
// document, the designer views and the live lab panel; the services outlive it.
//
//   ingress-lab [FILE|FOLDER] [--lesson ID|LESSON-FOLDER] [--select Kind/ns/name] [--panel problems|kubectl|lab|guide]
//               [--theme light|dark] [--cert-dialog] [--screenshot OUT.png]
//               [--connect [--context NAME] [--namespace NS]]
// --connect connects the Cluster panel at start (kubeconfig from KUBECONFIG, else ~/.kube/config; the current
// context and its namespace unless --context / --namespace).
// Without a path or --lesson it reopens what was open last time (a lesson, a file, the demo), after offering the
// unsaved text of a session that crashed or was killed (ui/recovery.h).
// --screenshot renders the window (and --cert-dialog the certificate dialog) to OUT.png and exits: used to
// produce the screenshots in docs/ under Xvfb.
#include <cstdio>
#include <cstring>

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include "app/gui/gui_services.h"
#include "app/gui/test_hooks.h"
#include "core/common/build_info.h"
#include "ui/cluster/cluster_panel.h"
#include "ui/cluster_session.h"
#include "ui/dialogs/certificate_dialog.h"
#include "ui/main_window.h"

int main(int argc, char** argv) {
    // --version before QApplication: it needs no display (packaging checks and scripts run it headless).
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            std::fputs(ilab::buildInfoText("ingress-lab").c_str(), stdout);
            return 0;
        }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Ingress Lab"));
    QApplication::setOrganizationName(QStringLiteral("IngressLab"));
    QApplication::setApplicationVersion(QString::fromStdString(ilab::versionString()));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Design and test Kubernetes Ingress routing."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("path"), QStringLiteral("Workspace file or folder to open."));
    QCommandLineOption lesson(QStringLiteral("lesson"), QStringLiteral("Open a built-in lesson (its id) or a lesson folder (guide.md, workspace.yaml, checks.yaml)."), QStringLiteral("id|folder"));
    QCommandLineOption select(QStringLiteral("select"), QStringLiteral("Select an object (Kind/namespace/name)."), QStringLiteral("ref"));
    QCommandLineOption panel(QStringLiteral("panel"), QStringLiteral("Bring a bottom panel forward."), QStringLiteral("name"));
    QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("light or dark (overrides the saved choice)."), QStringLiteral("theme"));
    QCommandLineOption certDialog(QStringLiteral("cert-dialog"), QStringLiteral("Show the certificate dialog (screenshots)."));
    QCommandLineOption shot(QStringLiteral("screenshot"), QStringLiteral("Save a screenshot and exit."), QStringLiteral("file"));
    QCommandLineOption noRecovery(QStringLiteral("no-recovery"), QStringLiteral("Do not offer crash recovery."));
    QCommandLineOption connectCluster(QStringLiteral("connect"), QStringLiteral("Connect the Cluster panel at start."));
    QCommandLineOption context(QStringLiteral("context"), QStringLiteral("kubeconfig context for --connect."), QStringLiteral("name"));
    QCommandLineOption ns(QStringLiteral("namespace"), QStringLiteral("Namespace for --connect."), QStringLiteral("ns"));
    parser.addOptions({lesson, select, panel, theme, certDialog, shot, noRecovery, connectCluster, context, ns});
    parser.process(app);

    // Declared before the window: destroyed after it (the window holds non-owning pointers to the services).
    const ilab::app::GuiServices services;
    ilab::ui::MainWindow w(services.services());
    if (parser.isSet(theme)) w.setTheme(parser.value(theme) == QLatin1String("dark") ? ilab::ui::MainWindow::Theme::Dark : ilab::ui::MainWindow::Theme::Light);
    const QStringList args = parser.positionalArguments();
    const bool screenshot = parser.isSet(shot);
    bool recovered = false;
    ilab::app::installTestHooks(&w);  // nothing unless ILAB_TEST_* is set (test_hooks.h)
    if (!screenshot && !parser.isSet(noRecovery)) recovered = w.offerRecovery(true);
    if (!recovered) {
        if (parser.isSet(lesson)) w.openLesson(parser.value(lesson));
        else if (!args.isEmpty()) w.openPath(args.front());
        else if (screenshot || !w.restoreLastSession()) w.openPath(QStringLiteral(":/demo/demo-workspace.yaml"));
    }
    if (parser.isSet(select)) {
        const QStringList ref = parser.value(select).split(QLatin1Char('/'));
        if (ref.size() == 3) w.selectObject(ref[0], ref[1], ref[2]);
    }
    if (parser.isSet(panel)) w.raisePanel(parser.value(panel));
    if (parser.isSet(connectCluster) && w.clusterPanel()) {
        ilab::ui::ClusterPanel* cp = w.clusterPanel();
        if (parser.isSet(context) || parser.isSet(ns)) {
            const QString ctx = parser.isSet(context) ? parser.value(context) : w.clusterSession()->currentContext();
            cp->setContextAndNamespace(ctx, parser.isSet(ns) ? parser.value(ns) : w.clusterSession()->namespaceOfContext(ctx));
        }
        cp->connectToCluster();
    }
    if (screenshot) w.resize(1560, 960);
    w.show();
    if (screenshot) {
        const QString out = parser.value(shot);
        const bool dialog = parser.isSet(certDialog);
        QTimer::singleShot(1200, &w, [&w, out, dialog] {
            if (dialog) {
                auto* dlg = new ilab::ui::GenerateCertificateDialog(QStringLiteral("default"), QStringLiteral("api-tls"),
                                                                   {QStringLiteral("agents.example.com")}, &w);
                dlg->show();
                QTimer::singleShot(500, dlg, [dlg, out] {
                    dlg->grab().save(out);
                    QApplication::exit(0);
                });
                return;
            }
            w.grab().save(out);
            QApplication::exit(0);
        });
    }
    ilab::app::runTestHooksAfterStartup(&w);
    return app.exec();
}
