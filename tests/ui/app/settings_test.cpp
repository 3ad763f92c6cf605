// The app remembers (issue 16 item 3a): window layout (geometry and dock state), recent workspaces (File ▸ Open
// recent), the last lesson or file, the Cluster panel's context and namespace, and the theme survive the window:
// set them, close the window, and a new window has them. QSettings go to a private folder (settings.h
// redirectForTest), never the user's real settings.
#include <QComboBox>
#include <QDockWidget>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/gui_services.h"
#include "ui/cluster/cluster_panel.h"
#include "ui/dialogs/lesson_picker.h"
#include "ui/document/file_io.h"
#include "ui/main_window.h"
#include "ui/settings.h"

using namespace ilab;
using namespace ilab::ui;

namespace {
// (no raw string: moc 6.4 mis-reads raw strings in Q_OBJECT files, toolchain.md pitfall 5)
const char* KUBECONFIG =
    "apiVersion: v1\n"
    "kind: Config\n"
    "current-context: alpha\n"
    "clusters:\n"
    "- name: c\n"
    "  cluster:\n"
    "    server: https://127.0.0.1:1\n"
    "users:\n"
    "- name: u\n"
    "  user: {token: abc}\n"
    "contexts:\n"
    "- name: alpha\n"
    "  context: {cluster: c, user: u, namespace: team-a}\n"
    "- name: beta\n"
    "  context: {cluster: c, user: u, namespace: team-b}\n";
}  // namespace

class SettingsTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;

    // A window as the app makes one (services first, destroyed after the window).
    struct Window {
        app::GuiServices services;
        MainWindow w;
        explicit Window(const QString& recovery) : w(services.services(), nullptr, recovery) {}
    };
    std::unique_ptr<Window> window() { return std::make_unique<Window>(m_tmp.filePath(QStringLiteral("recovery"))); }
    QString workspaceFile(const QString& name) {
        const QString path = m_tmp.filePath(name);
        if (!QFile::exists(path)) saveAtomically(path, QStringLiteral("apiVersion: v1\nkind: Service\nmetadata:\n  name: %1\n").arg(name));
        return path;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabSettingsTest"));
        QCoreApplication::setApplicationName(QStringLiteral("Ingress Lab"));
        settings::redirectForTest(m_tmp.filePath(QStringLiteral("settings")));
        const QString kc = m_tmp.filePath(QStringLiteral("kubeconfig"));
        QFile f(kc);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(KUBECONFIG);
        f.close();
        qputenv("KUBECONFIG", kc.toUtf8());
        qputenv("XDG_CONFIG_HOME", m_tmp.filePath(QStringLiteral("config")).toUtf8());
        qputenv("HOME", m_tmp.path().toUtf8());
    }

    void settingsStayInTheTestFolder() {
        QSettings s;
        QVERIFY2(s.fileName().startsWith(m_tmp.path()), qPrintable(s.fileName()));
    }

    void layoutThemeRecentAndClusterSurviveTheWindow() {
        const QString fileA = workspaceFile(QStringLiteral("a.yaml")), fileB = workspaceFile(QStringLiteral("b.yaml"));
        {
            auto win = window();
            MainWindow& w = win->w;
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            // fresh settings: the defaults this test then changes
            QCOMPARE(w.theme(), MainWindow::Theme::System);
            QVERIFY(w.recentMenu()->actions().isEmpty());
            auto* ctx = w.clusterPanel()->findChild<QComboBox*>(QStringLiteral("clusterContext"));
            QVERIFY(ctx);
            QCOMPARE(ctx->currentText(), QStringLiteral("alpha"));  // kubeconfig's current-context

            QVERIFY(w.openPath(fileA));
            QVERIFY(w.openPath(fileB));
            w.setTheme(MainWindow::Theme::Dark);
            auto* lab = w.findChild<QDockWidget*>(QStringLiteral("labDock"));
            auto* kubectl = w.findChild<QDockWidget*>(QStringLiteral("kubectlDock"));
            w.addDockWidget(Qt::RightDockWidgetArea, lab);  // the user dragged the lab to the right
            kubectl->hide();
            w.resize(1111, 777);
            w.clusterPanel()->setContextAndNamespace(QStringLiteral("beta"), QStringLiteral("team-x"));
            QVERIFY(w.close());
        }
        auto win = window();
        MainWindow& w = win->w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.theme(), MainWindow::Theme::Dark);
        auto* lab = w.findChild<QDockWidget*>(QStringLiteral("labDock"));
        QCOMPARE(w.dockWidgetArea(lab), Qt::RightDockWidgetArea);
        QVERIFY(!w.findChild<QDockWidget*>(QStringLiteral("kubectlDock"))->isVisible());
        QVERIFY(w.findChild<QDockWidget*>(QStringLiteral("problemsDock"))->isVisible());
        QCOMPARE(w.size(), QSize(1111, 777));
        QCOMPARE(w.clusterPanel()->findChild<QComboBox*>(QStringLiteral("clusterContext"))->currentText(), QStringLiteral("beta"));
        QCOMPARE(w.clusterPanel()->findChild<QLineEdit*>(QStringLiteral("clusterNamespace"))->text(), QStringLiteral("team-x"));

        // File ▸ Open recent: newest first, and an entry opens its file
        const QList<QAction*> recent = w.recentMenu()->actions();
        QCOMPARE(recent.size(), 2);
        QVERIFY2(recent[0]->text().startsWith(QLatin1String("b.yaml")), qPrintable(recent[0]->text()));
        QVERIFY(recent[1]->text().startsWith(QLatin1String("a.yaml")));
        recent[1]->trigger();
        QCOMPARE(w.document()->filePath(), fileA);
        QVERIFY(w.close());
    }

    void lastLessonAndLastFileReopen() {
        const QVector<LessonInfo> lessons = availableLessons();
        QVERIFY(lessons.size() >= 2);
        const QString id = lessons[1].id;
        {
            auto win = window();
            win->w.openLesson(id);
            QVERIFY(win->w.close());
        }
        {
            auto win = window();
            QVERIFY(win->w.lessonId().isEmpty());
            QVERIFY(win->w.restoreLastSession());
            QCOMPARE(win->w.lessonId(), id);
            QCOMPARE(win->w.document()->text().isEmpty(), false);
            // then a file
            QVERIFY(win->w.openPath(workspaceFile(QStringLiteral("c.yaml"))));
            QVERIFY(win->w.close());
        }
        {
            auto win = window();
            QVERIFY(win->w.restoreLastSession());
            QCOMPARE(win->w.document()->filePath(), m_tmp.filePath(QStringLiteral("c.yaml")));
            QVERIFY(win->w.lessonId().isEmpty());
            QVERIFY(win->w.close());
        }
        // a file that is gone is not "restored": the app falls back to the demo (app/gui/main.cpp)
        QVERIFY(QFile::remove(m_tmp.filePath(QStringLiteral("c.yaml"))));
        auto win = window();
        QVERIFY(!win->w.restoreLastSession());
    }
};

QTEST_MAIN(SettingsTest)
#include "settings_test.moc"
