// Small things a room notices (issue 15 item 5), on the real main window:
//  - the empty page's hint names real actions with the shortcuts the actions have (and follows them);
//  - Ctrl+2/3/4 bring a panel forward and focus it; pressing again keeps it (it used to hide it);
//  - File ▸ Export… writes Ingresses only / without Secrets, YAML or JSON, exactly what `ingress-lab-cli export`
//    writes, and says whether kubectl would take it;
//  - the status bar and the window title name the same thing;
//  - Help has the lessons, the CLI reference and the keyboard shortcuts (made from the actions);
//  - the lesson guide follows the dark theme.
#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QMenuBar>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextList>
#include <QTreeView>

#include "app/gui/gui_services.h"
#include "core/yaml/yaml_reader.h"
#include "support/cli_run.h"
#include "ui/dialogs/export_dialog.h"
#include "ui/dialogs/lesson_picker.h"
#include "ui/help/help_window.h"
#include "ui/main_window.h"
#include "ui/settings.h"
#include "ui/views/guide_view.h"

#include <QCheckBox>
#include <QComboBox>

using namespace ilab;
using namespace ilab::ui;

namespace {

QAction* action(MainWindow& w, const QString& text) {
    for (QAction* a : w.allActions()) {
        QString t = a->text();
        t.remove(QLatin1Char('&'));
        if (t == text) return a;
    }
    return nullptr;
}

QString titleName(const QWidget& w) { return w.windowTitle().section(QStringLiteral(" — Ingress Lab"), 0, 0); }
QString statusName(const MainWindow& w) {
    auto* l = w.findChild<QLabel*>(QStringLiteral("statusFile"));
    return l ? l->text().section(QStringLiteral("  ·  "), 0, 0) : QStringLiteral("<no status label>");
}

// In front: shown and not behind another tab (a tabbed-behind dock is "visible" but has nothing on screen).
bool inFront(const QDockWidget* d) { return d->isVisible() && !d->visibleRegion().isEmpty(); }

bool hasFocusIn(const QWidget* w) {
    for (const QWidget* f = QApplication::focusWidget(); f; f = f->parentWidget())
        if (f == w) return true;
    return false;
}

}  // namespace

class WorkshopDetailsTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    std::unique_ptr<app::GuiServices> m_services;

    std::unique_ptr<MainWindow> window() {
        auto w = std::make_unique<MainWindow>(m_services->services(), nullptr, m_tmp.filePath(QStringLiteral("recovery")));
        w->resize(1280, 720);
        w->show();
        return w;
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabWorkshopDetailsTest"));
        settings::redirectForTest(m_tmp.filePath(QStringLiteral("settings")));
        m_services = std::make_unique<app::GuiServices>();
    }

    void emptyHintNamesRealActions() {
        auto w = window();
        QVERIFY(QTest::qWaitForWindowActive(w.get()));
        auto* hint = w->findChild<QLabel*>(QStringLiteral("emptyHint"));
        QVERIFY(hint);
        QVERIFY(hint->isVisible());
        QVERIFY2(!hint->text().contains(QLatin1String("+ button")), qPrintable(hint->text()));
        QAction* newIngress = action(*w, QStringLiteral("New Ingress"));
        QAction* lesson = action(*w, QStringLiteral("New from lesson…"));
        QVERIFY(newIngress && lesson);
        for (QAction* a : {newIngress, lesson}) {
            const QString key = a->shortcut().toString(QKeySequence::NativeText);
            QVERIFY(!key.isEmpty());
            QVERIFY2(hint->text().contains(QStringLiteral("%1 (%2)").arg(a->text().remove(QLatin1Char('&')), key)), qPrintable(hint->text()));
        }
        // the shortcut the hint names works
        QTest::keySequence(w.get(), newIngress->shortcut());
        QTRY_COMPARE(w->document()->workspace().all<model::Ingress>().size(), std::size_t(1));
        // and the hint follows the action when its shortcut changes
        newIngress->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_J));
        QVERIFY2(hint->text().contains(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_J).toString(QKeySequence::NativeText)), qPrintable(hint->text()));
    }

    void panelShortcutsRaiseAndFocus() {
        auto w = window();
        QVERIFY(QTest::qWaitForWindowActive(w.get()));
        QVERIFY(w->openPath(QStringLiteral(":/demo/demo-workspace.yaml")));
        auto* problems = w->findChild<QDockWidget*>(QStringLiteral("problemsDock"));
        auto* kubectl = w->findChild<QDockWidget*>(QStringLiteral("kubectlDock"));
        auto* lab = w->findChild<QDockWidget*>(QStringLiteral("labDock"));
        QVERIFY(problems && kubectl && lab);
        QTRY_VERIFY(inFront(problems));
        QVERIFY(!inFront(lab));  // tabbed behind Problems
        for (int round = 0; round < 2; ++round) {  // pressing again keeps the panel in front
            QTest::keySequence(w.get(), QKeySequence(Qt::CTRL | Qt::Key_4));
            QTRY_VERIFY2(inFront(lab), qPrintable(QStringLiteral("round %1").arg(round)));
            QVERIFY(!inFront(problems));
            QVERIFY(lab->toggleViewAction()->isChecked());
            QTRY_VERIFY(hasFocusIn(lab));
        }
        for (int round = 0; round < 2; ++round) {
            QTest::keySequence(w.get(), QKeySequence(Qt::CTRL | Qt::Key_2));
            QTRY_VERIFY(inFront(problems));
            QVERIFY(!inFront(lab));
            QTRY_VERIFY(hasFocusIn(problems));
        }
        QTest::keySequence(w.get(), QKeySequence(Qt::CTRL | Qt::Key_3));
        QTRY_VERIFY(inFront(kubectl));
        QTRY_VERIFY(hasFocusIn(kubectl));
        // a closed panel comes back too
        problems->close();
        QVERIFY(!inFront(problems));
        QTest::keySequence(w.get(), QKeySequence(Qt::CTRL | Qt::Key_2));
        QTRY_VERIFY(inFront(problems));
        // the View menu's toggle still hides it
        problems->toggleViewAction()->trigger();
        QVERIFY(!inFront(problems));
    }

    void titleAndStatusNameTheSameThing() {
        auto w = window();
        QCOMPARE(titleName(*w), QStringLiteral("untitled.yaml"));
        QCOMPARE(statusName(*w), titleName(*w));
        w->openLesson(QStringLiteral("canary"));
        QCOMPARE(titleName(*w), QStringLiteral("Lesson: canary"));
        QCOMPARE(statusName(*w), titleName(*w));
        const QString path = m_tmp.filePath(QStringLiteral("shop.yaml"));
        QVERIFY(w->saveTo(path));
        QCOMPARE(titleName(*w), QStringLiteral("shop.yaml"));
        QCOMPARE(statusName(*w), titleName(*w));
        w->document()->replaceText(w->document()->text() + QStringLiteral("\n# edited\n"), QStringLiteral("edit"));
        QCOMPARE(titleName(*w), QStringLiteral("shop.yaml •"));
        QCOMPARE(statusName(*w), titleName(*w));
        QVERIFY(w->openPath(path));
        QCOMPARE(statusName(*w), titleName(*w));
        w->newWorkspace();
        QCOMPARE(statusName(*w), titleName(*w));
    }

    void exportWritesWhatTheCliWrites() {
        auto w = window();
        w->openLesson(QStringLiteral("tls"));
        const auto& ws = w->document()->workspace();
        QVERIFY(!ws.all<model::Secret>().empty());
        std::size_t ingresses = ws.all<model::Ingress>().size();
        QVERIFY(ingresses > 0);
        // the workspace as a file, for the CLI
        const QString source = m_tmp.filePath(QStringLiteral("tls-source.yaml"));
        QVERIFY(w->saveTo(source));

        QAction* exportAct = w->findChild<QAction*>(QStringLiteral("exportAction"));
        QVERIFY(exportAct);
        QVERIFY(w->allActions().contains(exportAct));  // in the File menu
        exportAct->trigger();
        auto* dlg = w->findChild<ExportDialog*>(QStringLiteral("exportDialog"));
        QVERIFY(dlg);
        QTRY_VERIFY(dlg->isVisible());
        auto* ingressesOnly = dlg->findChild<QCheckBox*>(QStringLiteral("exportIngressesOnly"));
        auto* withoutSecrets = dlg->findChild<QCheckBox*>(QStringLiteral("exportWithoutSecrets"));
        auto* format = dlg->findChild<QComboBox*>(QStringLiteral("exportFormat"));
        auto* check = dlg->findChild<QLabel*>(QStringLiteral("exportCheck"));
        QVERIFY(ingressesOnly && withoutSecrets && format && check);
        QVERIFY2(check->text().contains(QLatin1String("kubectl-ready")) && !check->text().contains(QLatin1String("Not kubectl-ready")),
                 qPrintable(check->text()));

        // Ingresses only, JSON
        ingressesOnly->setChecked(true);
        format->setCurrentIndex(format->findText(QStringLiteral("JSON")));
        const QString jsonPath = m_tmp.filePath(QStringLiteral("ingresses.json"));
        QVERIFY(dlg->writeTo(jsonPath));
        QFile jf(jsonPath);
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QByteArray json = jf.readAll();
        QVERIFY(json.trimmed().startsWith('{'));
        model::Workspace back;
        yaml::readText(json.toStdString(), "ingresses.json", back);
        QCOMPARE(back.resources.size(), ingresses);
        for (const auto& r : back.resources) QCOMPARE(r.kind, std::string("Ingress"));
        const auto cliJson = testing::runCli({QStringLiteral("export"), source, QStringLiteral("--ingresses-only"), QStringLiteral("-o"), QStringLiteral("json")});
        QCOMPARE(cliJson.exitCode, 0);
        QCOMPARE(json, cliJson.out);

        // everything but Secrets, YAML
        ingressesOnly->setChecked(false);
        withoutSecrets->setChecked(true);
        format->setCurrentIndex(format->findText(QStringLiteral("YAML")));
        const QString yamlPath = m_tmp.filePath(QStringLiteral("no-secrets.yaml"));
        QVERIFY(dlg->writeTo(yamlPath));
        QFile yf(yamlPath);
        QVERIFY(yf.open(QIODevice::ReadOnly));
        const QByteArray yamlText = yf.readAll();
        model::Workspace back2;
        yaml::readText(yamlText.toStdString(), "no-secrets.yaml", back2);
        QVERIFY(back2.loadDiagnostics.empty());
        QCOMPARE(back2.resources.size(), ws.resources.size() - ws.all<model::Secret>().size());
        QVERIFY(back2.all<model::Secret>().empty());
        QCOMPARE(back2.all<model::Ingress>().size(), ingresses);
        const auto cliYaml = testing::runCli({QStringLiteral("export"), source, QStringLiteral("--without-secrets")});
        QCOMPARE(cliYaml.exitCode, 0);
        QCOMPARE(yamlText, cliYaml.out);
        dlg->reject();

        // a workspace the API server refuses is not kubectl-ready, and the dialog says why
        w->document()->replaceText(QString(w->document()->text()).replace(QStringLiteral("host: "), QStringLiteral("host: Bad_Host.")), QStringLiteral("break"));
        w->document()->reparseNow();
        ExportDialog* broken = w->exportWorkspace(false);
        auto* check2 = broken->findChild<QLabel*>(QStringLiteral("exportCheck"));
        QVERIFY2(check2->text().contains(QLatin1String("Not kubectl-ready")), qPrintable(check2->text()));
        QVERIFY2(check2->text().contains(QLatin1String("Bad_Host")), qPrintable(check2->text()));
        QVERIFY(!broken->result().isKubectlReady());
        delete broken;
    }

    void helpHasLessonsCliAndShortcuts() {
        auto w = window();
        QStringList help;
        for (QAction* a : w->menuBar()->actions())
            if (a->text().remove(QLatin1Char('&')) == QLatin1String("Help"))
                for (QAction* h : a->menu()->actions()) help << h->text().remove(QLatin1Char('&'));
        for (const char* entry : {"Lessons", "Command line reference", "Keyboard shortcuts", "About Ingress Lab"})
            QVERIFY2(help.contains(QLatin1String(entry)), qPrintable(help.join(QLatin1String(", "))));
        w->document()->replaceText(QStringLiteral("kind: Service\n"), QStringLiteral("Set host"));  // Undo now says "Undo Set host"
        QAction* shortcuts = action(*w, QStringLiteral("Keyboard shortcuts"));
        QVERIFY(shortcuts);
        shortcuts->trigger();
        auto* win = w->findChild<HelpWindow*>(QStringLiteral("helpWindow"));
        QVERIFY(win && win->isVisible());
        QCOMPARE(win->topic(), QStringLiteral("shortcuts"));
        const QString page = win->browser()->toPlainText();
        // every action with a shortcut is listed with it, read from the actions themselves
        for (const char* name : {"Save", "Go to Problems", "Go to the Live Lab", "Export…", "New Ingress"}) {
            QAction* a = action(*w, QString::fromUtf8(name));
            QVERIFY2(a, name);
            QVERIFY2(page.contains(a->text().remove(QLatin1Char('&'))) && page.contains(a->shortcut().toString(QKeySequence::NativeText)),
                     name);
        }
        // and the contents link to it
        Q_EMIT win->browser()->anchorClicked(QUrl(QStringLiteral("help:index")));
        QVERIFY(win->browser()->toHtml().contains(QLatin1String("help:shortcuts")));
        // a lesson's page is its guide rendered, not Markdown source
        Q_EMIT win->browser()->anchorClicked(QUrl(QStringLiteral("help:lesson/canary")));
        QVERIFY(!win->browser()->toPlainText().contains(QLatin1String("```")));
        QVERIFY(!win->browser()->toPlainText().contains(QLatin1String("## ")));
        // with the steps numbered as in the lesson dock (the step after the commands is 2., not 1.)
        bool found = false;
        for (QTextBlock b = win->browser()->document()->begin(); b.isValid(); b = b.next())
            if (b.text().startsWith(QLatin1String("Watch the share chart")) && b.textList()) {
                QCOMPARE(b.textList()->itemText(b), QStringLiteral("2."));
                found = true;
            }
        QVERIFY(found);
        // Undo is listed by its name, not by the last edit's description
        QVERIFY(!page.contains(QLatin1String("Set host")));
    }

    void lessonGuideFollowsTheDarkTheme() {
        auto w = window();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        w->openLesson(QStringLiteral("canary"));
        auto* guide = w->findChild<GuideView*>(QStringLiteral("guide"));
        QVERIFY(guide);
        QTRY_VERIFY(guide->isVisible());
        for (MainWindow::Theme theme : {MainWindow::Theme::Dark, MainWindow::Theme::Light, MainWindow::Theme::Dark}) {
            w->setTheme(theme);
            QCoreApplication::processEvents();
            const QImage img = guide->viewport()->grab().toImage();
            // the background (a corner, inside the document margin) and the text's colour
            const QColor bg = img.pixelColor(img.width() - 4, img.height() - 4);
            const bool dark = theme == MainWindow::Theme::Dark;
            QVERIFY2(dark ? bg.lightness() < 100 : bg.lightness() > 200, qPrintable(bg.name()));
            int lightPixels = 0, darkPixels = 0;
            for (int y = 0; y < img.height(); y += 2)
                for (int x = 0; x < img.width(); x += 2) (img.pixelColor(x, y).lightness() > 128 ? lightPixels : darkPixels) += 1;
            QVERIFY2(dark ? darkPixels > lightPixels * 4 : lightPixels > darkPixels * 4, qPrintable(QStringLiteral("%1 %2").arg(lightPixels).arg(darkPixels)));
        }
    }
};

QTEST_MAIN(WorkshopDetailsTest)
#include "workshop_details_test.moc"
