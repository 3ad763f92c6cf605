// Issue 14 item 4, live: after "Convert to Gateway API" on the canary lesson, the Migration view's "Live traffic"
// tab starts an ingress-nginx controller on the Ingresses and a Gateway API controller on the converted objects
// (real proxies on free 127.0.0.1 ports, from the composition root's factory), sends every request of the check
// to both with real libcurl traffic and shows them side by side: plain HTTP keeps its 90/10 split on both, HTTPS is
// lost on Gateway API (no HTTPS listener), and a body one byte over 1m gets 413 only from ingress-nginx. The
// controllers are stopped when the run ends.
#include <QAction>
#include <QDockWidget>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/gui_services.h"
#include "ui/gateway/migration_live.h"
#include "ui/gateway/migration_view.h"
#include "ui/lab/compare_view.h"
#include "ui/main_window.h"

using namespace ilab;
using namespace ilab::ui;

namespace {

QAction* action(MainWindow& w, const QString& text) {
    for (QAction* a : w.allActions()) {
        QString t = a->text();
        t.remove(QLatin1Char('&'));
        if (t.startsWith(text)) return a;
    }
    return nullptr;
}

// The row of `route` whose "What" column starts with `what`: {ingress-nginx cell, Gateway API cell, disagrees}.
struct Row {
    QString nginx, gateway;
    bool disagrees = false;
    bool found = false;
};
Row row(QTableWidget* t, const QString& route, const QString& what) {
    for (int r = 0; r < t->rowCount(); ++r)
        if (t->item(r, 0)->text() == route && t->item(r, 1)->text().startsWith(what))
            return {t->item(r, 2)->text(), t->item(r, 3)->text(), t->item(r, 1)->data(Qt::UserRole).toBool(), true};
    return {};
}

// "12.3 % [..] (k/n)" -> the share in percent.
double percent(const QString& cell) { return cell.section(QLatin1Char(' '), 0, 0).toDouble(); }

}  // namespace

class MigrationLiveTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
    }

    void canaryLessonLiveSideBySide() {
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, m_dir.filePath(QStringLiteral("recovery")));
        w.resize(1600, 1000);
        w.show();
        w.openLesson(QStringLiteral("canary"));
        QAction* convert = action(w, QStringLiteral("Convert to Gateway API"));
        QVERIFY(convert && convert->isEnabled());
        convert->trigger();

        auto* view = w.findChild<MigrationView*>(QStringLiteral("migrationView"));
        QVERIFY(view);
        QTRY_VERIFY_WITH_TIMEOUT(!view->isChecking() && view->report().usedWorkspaceGatewayObjects, 30000);
        auto* tabs = view->findChild<QTabWidget*>(QStringLiteral("migrationTabs"));
        QVERIFY(tabs);
        QCOMPARE(tabs->count(), 2);
        QCOMPARE(tabs->tabText(1), QStringLiteral("Live traffic"));
        tabs->setCurrentIndex(1);
        auto* run = view->findChild<QPushButton*>(QStringLiteral("migrationLiveRun"));
        QVERIFY(run && run->isEnabled());

        QSignalSpy done(view->liveRunnerForTest(), &MigrationLive::finished);
        QSignalSpy failed(view->liveRunnerForTest(), &MigrationLive::failed);
        run->click();
        QVERIFY(!run->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() > 0, 240000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        QVERIFY(run->isEnabled());
        QVERIFY(!view->liveRunnerForTest()->isRunning());

        QTableWidget* table = view->liveView()->tableForTest();
        QCOMPARE(table->horizontalHeaderItem(2)->text(), QStringLiteral("ingress-nginx"));
        QCOMPARE(table->horizontalHeaderItem(3)->text(), QStringLiteral("Gateway API"));
        QString dump;
        for (int r = 0; r < table->rowCount(); ++r)
            dump += table->item(r, 0)->text() + " | " + table->item(r, 1)->text() + " | " + table->item(r, 2)->text() +
                    " | " + table->item(r, 3)->text() + "\n";

        // Plain HTTP: both split 90/10 over the same backends; no disagreement.
        const QString plain = QStringLiteral("GET http://api.example.com/version");
        const Row test = row(table, plain, QStringLiteral("backend agent-test"));
        QVERIFY2(test.found, qPrintable(dump));
        QVERIFY2(!test.disagrees, qPrintable(dump));
        QVERIFY2(percent(test.nginx) > 2 && percent(test.nginx) < 25, qPrintable(test.nginx));
        QVERIFY2(percent(test.gateway) > 2 && percent(test.gateway) < 25, qPrintable(test.gateway));

        // HTTPS: ingress-nginx answers 200 (its fake certificate); Gateway API has no HTTPS listener for the host.
        const QString https = QStringLiteral("GET https://api.example.com/version");
        const Row ok = row(table, https, QStringLiteral("status 200"));
        QVERIFY2(ok.found && ok.disagrees, qPrintable(dump));
        QVERIFY2(percent(ok.nginx) == 100, qPrintable(ok.nginx));
        QVERIFY2(percent(ok.gateway) == 0, qPrintable(ok.gateway));

        // A body one byte over ingress-nginx's default proxy-body-size: 413 only from ingress-nginx.
        const QString body = QStringLiteral("POST http://api.example.com/version [body: 1048577 bytes]");
        const Row r413 = row(table, body, QStringLiteral("status 413"));
        QVERIFY2(r413.found && r413.disagrees, qPrintable(dump));
        QVERIFY2(percent(r413.nginx) == 100 && percent(r413.gateway) == 0, qPrintable(r413.nginx + " / " + r413.gateway));

        // The list names each difference with both sides and the curl that shows it.
        QString all;
        for (int i = 0; i < view->liveView()->disagreementsForTest()->count(); ++i)
            all += view->liveView()->disagreementsForTest()->item(i)->text() + "\n";
        QVERIFY2(all.contains(QStringLiteral("status 413: Gateway API")), qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("ingress-nginx: curl")), qPrintable(all));
        QVERIFY2(!all.contains(QStringLiteral("GET http://api.example.com/version\n")), qPrintable(all));
        QVERIFY(view->liveView()->summaryText().contains(QStringLiteral("between ingress-nginx and Gateway API")));
        const QString shots = qEnvironmentVariable("ILAB_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            auto* dock = w.findChild<QDockWidget*>(QStringLiteral("migrationDock"));
            w.resizeDocks({dock}, {620}, Qt::Vertical);
            QTest::qWait(200);
            w.grab().save(shots + QStringLiteral("/migration-live.png"));
        }
    }
};

QTEST_MAIN(MigrationLiveTest)
#include "migration_live_test.moc"
