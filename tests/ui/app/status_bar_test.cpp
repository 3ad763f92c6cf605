// The status bar's file label and a temporary message (issue 15 item 5, found again in review): a lesson folder
// opened before the window is shown (`ingress-lab --lesson FOLDER`) shows "Lesson … opened from …" for a few
// seconds, and QStatusBar drew it over the "Lesson: tls · 5 objects" label on the left (both texts unreadable).
// The label's text must stay readable while the message shows: it may not share the message area.
#include <QLabel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/gui_services.h"
#include "support/test_paths.h"
#include "ui/main_window.h"

using namespace ilab;
using namespace ilab::ui;

class StatusBarTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
    }

    void temporaryMessageLeavesTheFileLabelReadable_data() {
        QTest::addColumn<bool>("openBeforeShow");
        QTest::newRow("opened before the window shows (command line)") << true;
        QTest::newRow("opened in a shown window (File menu)") << false;
    }

    void temporaryMessageLeavesTheFileLabelReadable() {
        QFETCH(bool, openBeforeShow);
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.resize(1600, 1000);
        const QString folder = testing::sourceDir() + QStringLiteral("/resources/lessons/tls");
        if (!openBeforeShow) {
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
        }
        w.openLesson(folder);
        if (openBeforeShow) {
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
        }
        QStatusBar* bar = w.statusBar();
        const QString message = bar->currentMessage();
        QVERIFY2(message.contains(QLatin1String("opened from")), qPrintable(message));
        auto* label = w.findChild<QLabel*>(QStringLiteral("statusFile"));
        QVERIFY(label);
        QVERIFY2(label->text().startsWith(QLatin1String("Lesson: tls")), qPrintable(label->text()));
        // The label is on screen, and the message (drawn from the bar's left edge) ends before the label starts.
        QVERIFY(label->isVisible());
        const int messageRight = bar->contentsRect().left() + bar->fontMetrics().horizontalAdvance(message);
        const QRect labelRect(label->mapTo(bar, QPoint(0, 0)), label->size());
        QVERIFY2(labelRect.left() > messageRight,
                 qPrintable(QStringLiteral("label at x=%1..%2, message drawn up to x=%3")
                                .arg(labelRect.left()).arg(labelRect.right()).arg(messageRight)));
        QVERIFY(labelRect.right() <= bar->width());
        // Once the message is gone the label still shows the same name as the window title.
        bar->clearMessage();
        QVERIFY(label->isVisible());
        QVERIFY(w.windowTitle().startsWith(label->text().section(QStringLiteral("  ·  "), 0, 0)));
    }
};

QTEST_MAIN(StatusBarTest)
#include "status_bar_test.moc"
