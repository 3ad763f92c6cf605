// Issue 15 item 7: presenter mode. One switch (View > Presenter mode) makes the application font 1.5x (widgets
// with their own font too), zooms the YAML editor, draws every chart line 2.5x as thick (also series the charts
// make later) and applies a high-contrast palette; switching off restores fonts, zoom, lines and the theme.
#include <QAction>
#include <QPlainTextEdit>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/gui_services.h"
#include "ui/charts/chart_thickness.h"
#include "ui/charts/live_charts.h"
#include "ui/editors/yaml_editor.h"
#include "ui/lab/lab_panel.h"
#include "ui/main_window.h"
#include "ui/presenter_mode.h"

using namespace ilab;
using namespace ilab::ui;

namespace {

charts::TrafficSample sample(double t, const QStringList& backends) {
    charts::TrafficSample s;
    s.timeSec = t;
    for (const QString& b : backends) s.backends.push_back({b, 10});
    s.hasLatency = true;
    s.p50Ms = 1;
    s.p90Ms = 2;
    s.p99Ms = 3;
    s.status2xx = 10;
    return s;
}

}  // namespace

class PresenterModeTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("IngressLabTest"));
    }

    void oneSwitchAndBack() {
        QTemporaryDir dir;
        const ilab::app::GuiServices services;
        MainWindow w(services.services(), nullptr, dir.filePath(QStringLiteral("recovery")));
        w.setTheme(MainWindow::Theme::Dark);
        w.show();
        w.openLesson(QStringLiteral("canary"));
        charts::LiveCharts* live = w.labPanel()->liveCharts();
        live->addSample(sample(1, {QStringLiteral("default-agent-stable-80")}));
        const double lineBefore = charts::widestChartLine(&w);
        const double thinBefore = charts::thinnestChartLine(&w);
        QVERIFY(lineBefore > 0);
        const double fontBefore = QApplication::font().pointSizeF();
        auto* kubectl = w.findChild<QPlainTextEdit*>(QStringLiteral("kubectl"));
        QVERIFY(kubectl && kubectl->testAttribute(Qt::WA_SetFont));
        const double kubectlBefore = kubectl->font().pointSizeF();
        const int zoomBefore = w.editor()->SendScintilla(QsciScintillaBase::SCI_GETZOOM);
        const QColor darkWindow = QApplication::palette().color(QPalette::Window);
        QVERIFY(darkWindow.lightness() < 128);

        QAction* act = nullptr;
        for (QAction* a : w.allActions())
            if (a->objectName() == QLatin1String("presenterMode")) act = a;
        QVERIFY(act && act->isCheckable());
        act->trigger();
        QVERIFY(w.presenterMode()->isOn());
        QCOMPARE(QApplication::font().pointSizeF(), fontBefore * PresenterMode::FONT_SCALE);
        QCOMPARE(kubectl->font().pointSizeF(), kubectlBefore * PresenterMode::FONT_SCALE);
        QCOMPARE(int(w.editor()->SendScintilla(QsciScintillaBase::SCI_GETZOOM)), zoomBefore + PresenterMode::EDITOR_ZOOM);
        QCOMPARE(charts::widestChartLine(&w), lineBefore * PresenterMode::LINE_SCALE);
        QCOMPARE(QApplication::palette().color(QPalette::Window), QColor(Qt::white));
        QCOMPARE(QApplication::palette().color(QPalette::WindowText), QColor(Qt::black));
        if (const QString shots = qEnvironmentVariable("ILAB_SHOT_DIR"); !shots.isEmpty()) {
            w.resize(1280, 720);
            w.raisePanel(QStringLiteral("lab"));
            QTest::qWait(200);
            w.grab().save(shots + QStringLiteral("/presenter-mode-1280.png"));
        }
        // a backend that appears while presenting gets thick lines too
        live->addSample(sample(2, {QStringLiteral("default-agent-stable-80"), QStringLiteral("default-agent-test-80")}));
        // the new backend's line came thin (no event ran since: the re-apply timer cannot have fired) ...
        QVERIFY(charts::thinnestChartLine(&w) < thinBefore * PresenterMode::LINE_SCALE);
        // ... and is thick soon after
        QTRY_COMPARE_WITH_TIMEOUT(charts::thinnestChartLine(&w), thinBefore * PresenterMode::LINE_SCALE, 3000);

        act->trigger();
        QVERIFY(!w.presenterMode()->isOn());
        QCOMPARE(QApplication::font().pointSizeF(), fontBefore);
        QCOMPARE(kubectl->font().pointSizeF(), kubectlBefore);
        QCOMPARE(int(w.editor()->SendScintilla(QsciScintillaBase::SCI_GETZOOM)), zoomBefore);
        QCOMPARE(charts::widestChartLine(&w), lineBefore);
        QCOMPARE(charts::thinnestChartLine(&w), thinBefore);
        QCOMPARE(QApplication::palette().color(QPalette::Window), darkWindow);
    }
};

QTEST_MAIN(PresenterModeTest)
#include "presenter_mode_test.moc"
