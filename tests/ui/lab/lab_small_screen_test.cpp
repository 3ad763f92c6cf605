// Issue 15 must-fix 3 (rest): on a 1280x720 projector the lab's main action and its charts are usable at the
// default layout. With the window at 1280x720 and the Live Lab raised, "Send traffic" is on screen and not
// clipped by any scroll area, and the charts get a usable height (they were ~40 px: the lab's bottom dock got a
// quarter of the window and the charts' scroll area the rest of what was left). ILAB_SHOTS=DIR saves
// screenshots with live traffic (lab-WxH-light.png, lab-WxH-dark.png) for the docs and the closing note.
#include <QDir>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/gui_services.h"
#include "ui/charts/live_charts.h"
#include "ui/charts/share_chart.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/log_table_model.h"
#include "ui/lab/traffic_panel.h"
#include "ui/main_window.h"

using namespace ilab::ui;

namespace {
QPushButton* sendTrafficButton(QWidget* lab) {
    for (auto* b : lab->findChildren<QPushButton*>())
        if (b->text() == QLatin1String("Send traffic")) return b;
    return nullptr;
}
// The part of `w` inside every parent up to the window (clipped by scroll areas, splitters, docks), in window
// coordinates.
QRect shownRect(QWidget* w) {
    QRect r = w->rect();
    for (QWidget* p = w; !p->isWindow() && p->parentWidget(); p = p->parentWidget()) {
        if (!p->isVisible()) return {};
        r.translate(p->pos());
        r &= p->parentWidget()->rect();
    }
    return r;
}
}  // namespace

class LabSmallScreenTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
        QSettings().clear();  // the default layout, as on a first start
    }

    void labIsUsable_data() {
        QTest::addColumn<QSize>("size");
        QTest::newRow("1280x720") << QSize(1280, 720);
        QTest::newRow("1600x1000") << QSize(1600, 1000);
    }

    void labIsUsable() {
        QFETCH(QSize, size);
        QSettings().clear();
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.resize(size);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.openLesson(QStringLiteral("canary"));
        QTest::qWait(50);  // the first-start dock sizes are applied once the window has its size
        w.raisePanel(QStringLiteral("lab"));
        LabPanel* lab = w.labPanel();
        QPushButton* send = sendTrafficButton(lab);
        QVERIFY(send);
        QTRY_VERIFY(send->isVisible());
        // Not clipped: the whole button is drawn, and it lies inside the window.
        const QRect inWindow(send->mapTo(&w, QPoint(0, 0)), send->size());
        QTRY_COMPARE(shownRect(send), inWindow);
        QVERIFY2(w.rect().contains(inWindow), qPrintable(QString("button at %1,%2 %3x%4 in a %5x%6 window")
                                                             .arg(inWindow.x()).arg(inWindow.y()).arg(inWindow.width())
                                                             .arg(inWindow.height()).arg(w.width()).arg(w.height())));
        // The charts: at least one chart row fully visible (the share chart at its minimum height).
        auto* share = lab->liveCharts()->shareChart();
        QTRY_VERIFY2(shownRect(share).height() >= charts::LiveCharts::MIN_CHART_HEIGHT,
                     qPrintable(QString("share chart shows %1 px").arg(shownRect(share).height())));

        const QString shots = qEnvironmentVariable("ILAB_SHOTS");
        if (!shots.isEmpty()) {
            // Screenshots with live data: the canary lesson's 100 requests plus requests to a path whose Service
            // does not exist (an error bar), in the light and the dark theme.
            QDir().mkpath(shots);
            auto* traffic = lab->trafficPanel();
            QTRY_VERIFY_WITH_TIMEOUT(traffic->presetCount() > 3, 10000);  // the lesson's workspace reached the lab
            lab->setListenPorts(0, 0);
            lab->start();
            QTRY_VERIFY_WITH_TIMEOUT(lab->isRunning(), 30000);
            traffic->applyPreset(3);
            auto* table = traffic->findChild<QTableWidget*>();
            QVERIFY(table && table->rowCount() == 2);
            table->item(1, 2)->setText("/no-such-path");
            traffic->setLoad(400, 0, 0, 4);
            QSignalSpy finished(traffic, &TrafficPanel::trafficFinished);
            traffic->startTraffic();
            QVERIFY(finished.wait(60000));
            QTest::qWait(1500);
            if (qEnvironmentVariableIsSet("ILAB_DEBUG")) {
                qDebug() << finished.at(0).at(0).toString() << traffic->curlCommand();
                auto* m = lab->accessLogModel();
                for (int r = 0; r < std::min(3, m->rowCount()); ++r) {
                    QStringList cells;
                    for (int c = 0; c < m->columnCount(); ++c) cells << m->data(m->index(r, c)).toString();
                    qDebug() << cells;
                }
            }  // the charts' next snapshots
            const QString size = QString("%1x%2").arg(w.width()).arg(w.height());
            w.grab().save(QDir(shots).filePath(QString("lab-%1-light.png").arg(size)));
            w.setTheme(MainWindow::Theme::Dark);
            QTest::qWait(300);
            w.grab().save(QDir(shots).filePath(QString("lab-%1-dark.png").arg(size)));
            w.setTheme(MainWindow::Theme::Light);
            lab->stop();
            QTRY_VERIFY_WITH_TIMEOUT(!lab->isRunning(), 20000);
        }
    }
};

QTEST_MAIN(LabSmallScreenTest)
#include "lab_small_screen_test.moc"
