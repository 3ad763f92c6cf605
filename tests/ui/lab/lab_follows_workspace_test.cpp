// Issue 15 must-fix 2: the lab follows the current workspace. Presets are derived from the workspace as it is now
// (the canary weight changed to 30 shows 70/30), and switching lesson or workspace resets the lab's views: the
// request rows, the share chart and its legend no longer show the previous lesson's canary.
#include <QComboBox>
#include <QLabel>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/gui_services.h"
#include "core/yaml/yaml_reader.h"
#include "ui/charts/live_charts.h"
#include "ui/charts/share_chart.h"
#include "ui/document/workspace_document.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/traffic_panel.h"
#include "ui/main_window.h"

using namespace ilab;
using namespace ilab::ui;

class LabFollowsWorkspaceTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
    }

    void presetFollowsTheCanaryWeight() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.openLesson(QStringLiteral("canary"));
        TrafficPanel* traffic = w.labPanel()->trafficPanel();
        QTRY_COMPARE(traffic->expectedShares().value(QStringLiteral("agent-test")), 0.1);
        auto* note = traffic->findChild<QLabel*>(QStringLiteral("presetNote"));
        QVERIFY(note);
        QVERIFY2(note->text().contains(QLatin1String("agent-test 10 %")), qPrintable(note->text()));

        QString text = w.document()->text();
        text.replace(QStringLiteral("canary-weight: \"10\""), QStringLiteral("canary-weight: \"30\""));
        w.document()->replaceText(text, QStringLiteral("weight 30"));
        QTRY_COMPARE(traffic->expectedShares().value(QStringLiteral("agent-test")), 0.3);
        QTRY_VERIFY2(note->text().contains(QLatin1String("agent-test 30 %")), qPrintable(note->text()));
    }

    void switchingLessonResetsTheViews() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.openLesson(QStringLiteral("canary"));
        LabPanel* lab = w.labPanel();
        auto* rows = lab->trafficPanel()->findChild<QTableWidget*>();
        auto host = [rows] { return rows->rowCount() > 0 && rows->item(0, 1) ? rows->item(0, 1)->text() : QString(); };
        QTRY_COMPARE(host(), QStringLiteral("api.example.com"));
        // the previous lesson's run, as the share chart shows it
        lab->liveCharts()->setShares({charts::BackendShare{QStringLiteral("default-agent-stable-80"), 90, 90.0},
                                      charts::BackendShare{QStringLiteral("default-agent-test-80"), 10, 10.0}});
        QCOMPARE(lab->liveCharts()->shareChart()->categoriesForTest().size(), 2);

        w.openLesson(QStringLiteral("host-routing"));
        QTRY_VERIFY(!host().isEmpty() && host() != QLatin1String("api.example.com"));
        QVERIFY2(host().endsWith(QLatin1String(".example.com")), qPrintable(host()));
        // The host lesson's own preset (one row per host) expects its Services, none of the canary's.
        QVERIFY(!lab->trafficPanel()->expectedShares().contains(QStringLiteral("agent-test")));
        QVERIFY(!lab->trafficPanel()->expectedShares().contains(QStringLiteral("agent-stable")));
        QVERIFY(lab->liveCharts()->shareChart()->categoriesForTest().isEmpty());
    }
};

QTEST_MAIN(LabFollowsWorkspaceTest)
#include "lab_follows_workspace_test.moc"
