#include "ui/charts/chart_style.h"

#include <QtCharts/QAbstractAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>

namespace ilab::ui::charts {

bool isDark(const QPalette& palette) { return palette.color(QPalette::Window).lightness() < 128; }

void applyPalette(QChart* chart, QChartView* view, const QPalette& palette) {
    const QColor base = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    QColor grid = text;
    grid.setAlpha(isDark(palette) ? 60 : 40);
    QColor line = text;
    line.setAlpha(140);
    chart->setBackgroundBrush(base);
    chart->setBackgroundPen(Qt::NoPen);
    chart->setPlotAreaBackgroundVisible(false);
    chart->setTitleBrush(text);
    chart->legend()->setLabelColor(text);
    for (QAbstractAxis* axis : chart->axes()) {
        axis->setLabelsColor(text);
        axis->setTitleBrush(text);
        axis->setGridLineColor(grid);
        axis->setLinePenColor(line);
    }
    if (view) view->setBackgroundBrush(base);
}

QColor overlayInk(const QPalette& palette) { return isDark(palette) ? QColor(225, 225, 225) : QColor(40, 40, 40); }

QColor errorColor() { return QColor(214, 48, 49); }

QString upstreamLabel(const QString& upstream) {
    QString s = upstream;
    const int dash = int(s.lastIndexOf(QLatin1Char('-')));
    bool isPort = false;
    if (dash > 0) s.mid(dash + 1).toInt(&isPort);
    if (!isPort) return upstream;
    s = s.left(dash) + QLatin1Char(':') + s.mid(dash + 1);
    if (s.startsWith(QLatin1String("default-"))) s = s.mid(8);
    return s;
}

}  // namespace ilab::ui::charts
