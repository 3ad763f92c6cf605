// Issue 15 item 5, the lab's charts: legends showed "default-a…" five times for five backends (Qt's one-row
// legend cuts every entry to the same width) and the dark theme left the charts white. Now every backend's name is
// shown in full (as "agent-stable:80", the tooltip naming the upstream), and the charts take their colours from
// the palette. Both checked on what is drawn: the texts on screen and the pixels of a grab.
#include <QApplication>
#include <QGraphicsTextItem>
#include <QGraphicsView>
#include <QPalette>
#include <QTest>

#include "ui/charts/live_charts.h"
#include "ui/charts/share_chart.h"
#include "ui/charts/time_series_chart.h"

using namespace ilab::ui::charts;

namespace {

const QStringList UPSTREAMS = {"default-agent-stable-80", "default-agent-test-80", "default-agent-v1-service-80",
                               "default-agent-v2-service-80", "default-dashboard-service-80"};
const QStringList LABELS = {"agent-stable:80", "agent-test:80", "agent-v1-service:80", "agent-v2-service:80",
                            "dashboard-service:80"};

// Every text drawn for `chart`: the chart scene's text items (titles, axis labels, Qt's own legend) and any
// legend widget that says what it displays.
QStringList drawnTexts(QWidget* chart) {
    QStringList out;
    for (auto* view : chart->findChildren<QGraphicsView*>())
        for (auto* item : view->scene()->items()) {
            if (!item->isVisible()) continue;
            if (auto* t = dynamic_cast<QGraphicsTextItem*>(item)) out << t->toPlainText();
            if (auto* t = dynamic_cast<QGraphicsSimpleTextItem*>(item)) out << t->text();
        }
    for (auto* w : chart->findChildren<QWidget*>()) {
        const QVariant shown = w->property("displayedTexts");
        if (shown.isValid()) out << shown.toStringList();
    }
    return out;
}

QStringList toolTipsOf(QWidget* chart) {
    QStringList out;
    for (auto* w : chart->findChildren<QWidget*>()) {
        const QVariant tips = w->property("toolTips");
        if (tips.isValid()) out << tips.toStringList();
    }
    return out;
}

QPalette darkPalette() {
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x30));
    p.setColor(QPalette::WindowText, QColor(0xdf, 0xe1, 0xe5));
    p.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2e));
    p.setColor(QPalette::Text, QColor(0xdf, 0xe1, 0xe5));
    p.setColor(QPalette::Button, QColor(0x2b, 0x2d, 0x30));
    p.setColor(QPalette::ButtonText, QColor(0xdf, 0xe1, 0xe5));
    return p;
}

// Mean lightness of a grab, sampling a grid (the background dominates any chart).
int meanLightness(QWidget* w) {
    const QImage img = w->grab().toImage();
    long sum = 0, n = 0;
    for (int y = 2; y < img.height(); y += 7)
        for (int x = 2; x < img.width(); x += 7) {
            sum += QColor(img.pixel(x, y)).lightness();
            ++n;
        }
    return n ? int(sum / n) : -1;
}

}  // namespace

class ChartLegendThemeTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void legendShowsFullBackendNames() {
        LiveCharts charts;
        // The charts' grid as the lab gives it on a 1280x720 screen: two charts side by side, ~450 px each.
        charts.resize(900, 2 * LiveCharts::MIN_CHART_HEIGHT + 40);
        charts.show();
        QVERIFY(QTest::qWaitForWindowExposed(&charts));
        TrafficSample s;
        s.timeSec = 1;
        for (const auto& u : UPSTREAMS) s.backends.append({u, 10});
        charts.addSample(s);
        QApplication::processEvents();

        const QStringList texts = drawnTexts(charts.rateChart());
        for (const auto& label : LABELS)
            QVERIFY2(texts.contains(label), qPrintable(QString("%1 not shown in full; shown: %2").arg(label, texts.join(" | "))));
        for (const auto& t : texts) QVERIFY2(!t.contains(QChar(0x2026)), qPrintable("elided: " + t));
        // The tooltip names the upstream as the controller and the access log do.
        const QStringList tips = toolTipsOf(charts.rateChart());
        for (const auto& u : UPSTREAMS) QVERIFY2(tips.contains(u), qPrintable(tips.join(" | ")));

        // A name too long for a row of its own is elided in the middle, and only then; its tooltip is complete.
        const QString huge = "default-" + QString(200, 'x') + "-80";
        s.backends = {{huge, 1}};
        charts.addSample(s);
        QApplication::processEvents();
        bool elided = false;
        for (const auto& t : drawnTexts(charts.rateChart()))
            elided = elided || (t.contains(QChar(0x2026)) && t.startsWith("xxx") && t.endsWith(":80"));
        QVERIFY(elided);
        QVERIFY(toolTipsOf(charts.rateChart()).contains(huge));
    }

    void chartsFollowTheDarkTheme() {
        const QPalette light = QApplication::palette();
        LiveCharts charts;
        charts.resize(900, 2 * LiveCharts::MIN_CHART_HEIGHT + 40);
        charts.show();
        QVERIFY(QTest::qWaitForWindowExposed(&charts));
        charts.setShares({{"default-agent-stable-80", 90, 90}, {"default-agent-test-80", 10, 10}});
        QVERIFY2(meanLightness(charts.shareChart()) > 180, "light theme: a light chart");

        QApplication::setPalette(darkPalette());
        QApplication::processEvents();
        for (QWidget* chart : {static_cast<QWidget*>(charts.shareChart()), static_cast<QWidget*>(charts.rateChart()),
                               static_cast<QWidget*>(charts.latencyChart()), static_cast<QWidget*>(charts.statusChart())}) {
            const int l = meanLightness(chart);
            QVERIFY2(l < 90, qPrintable(QString("%1 stays light in the dark theme (mean lightness %2)")
                                            .arg(chart->metaObject()->className()).arg(l)));
        }
        // And back.
        QApplication::setPalette(light);
        QApplication::processEvents();
        QVERIFY(meanLightness(charts.shareChart()) > 180);
    }
};

QTEST_MAIN(ChartLegendThemeTest)
#include "chart_legend_theme_test.moc"
