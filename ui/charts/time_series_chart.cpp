#include "ui/charts/time_series_chart.h"

#include <cmath>

#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <QEvent>
#include <QHash>
#include <QVBoxLayout>

#include "ui/charts/chart_legend.h"
#include "ui/charts/chart_style.h"

namespace ilab::ui::charts {

namespace {
// A readable axis maximum: 1, 2 or 5 times a power of ten above the largest value.
double niceCeiling(double v) {
    if (v <= 0) return 1;
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= v) return m * p;
    return 10 * p;
}

const QColor PALETTE[] = {QColor(60, 130, 200), QColor(220, 90, 20),  QColor(60, 160, 80), QColor(170, 60, 170),
                          QColor(200, 50, 50),  QColor(120, 120, 40), QColor(30, 150, 150), QColor(110, 80, 50)};
}  // namespace

struct TimeSeriesChart::Impl {
    QChart* chart = nullptr;
    QChartView* view = nullptr;
    ChartLegend* legend = nullptr;
    QValueAxis* axisX = nullptr;
    QValueAxis* axisY = nullptr;
    QString unit;
    double window = 60;
    int maxPoints = 600;
    struct Line {
        QLineSeries* series = nullptr;
        QList<QPointF> points;
    };
    QVector<QString> order;
    QHash<QString, Line> lines;
    double lastT = 0;

    Line& line(const QString& name) {
        auto it = lines.find(name);
        if (it != lines.end()) return *it;
        Line l;
        l.series = new QLineSeries;
        l.series->setName(name);
        QPen pen(PALETTE[order.size() % (sizeof(PALETTE) / sizeof(PALETTE[0]))]);
        pen.setWidth(2);
        l.series->setPen(pen);
        // Points as well as lines: the 100-request lesson is over within one or two 1-second snapshots, and a
        // line through a single point draws nothing.
        l.series->setPointsVisible(true);
        l.series->setMarkerSize(5);
        chart->addSeries(l.series);
        l.series->attachAxis(axisX);
        l.series->attachAxis(axisY);
        order << name;
        auto& inserted = *lines.insert(name, l);
        updateLegend();
        return inserted;
    }

    // Full names (upstreams shown as "agent-stable:80"), on as many rows as they need; the tooltip names the
    // upstream as the controller does.
    void updateLegend() {
        QVector<ChartLegend::Entry> entries;
        for (const auto& name : order) {
            const QString label = upstreamLabel(name);
            entries.append({label, label == name ? QString() : name, lines.value(name).series->pen().color(),
                            ChartLegend::Shape::Line});
        }
        legend->setEntries(entries);
    }

    // Axis ranges move in steps (x: every X_STEP seconds; y: 1-2-5 ceilings) and are only set when they change:
    // a new range re-lays out the axis labels and the plot area, which cost up to ~40 ms per chart per second on
    // a loaded machine when x slid every second (gui_stall_bench). New points alone only repaint the series.
    static constexpr double X_STEP = 10;
    void updateAxes() {
        const double hi = std::max(window, std::ceil(lastT / X_STEP) * X_STEP);
        const double lo = std::max(0.0, hi - window);
        if (axisX->min() != lo || axisX->max() != hi) axisX->setRange(lo, hi);
        double maxY = 0;
        for (const auto& l : lines)
            for (const auto& p : l.points)
                if (p.x() >= lo) maxY = std::max(maxY, p.y());
        const double top = niceCeiling(maxY * 1.05);
        if (axisY->max() != top || axisY->min() != 0) axisY->setRange(0, top);
    }
    // While the chart is hidden (another tab, a collapsed dock) points are kept but Qt Charts is not touched.
    bool dirty = false;
    void flush() {
        for (auto& l : lines) l.series->replace(l.points);
        updateAxes();
        dirty = false;
    }
};

TimeSeriesChart::TimeSeriesChart(const QString& title, const QString& unit, QWidget* parent)
    : QWidget(parent), m_impl(new Impl) {
    auto* d = m_impl;
    d->unit = unit;
    d->chart = new QChart;
    d->chart->setTitle(title);
    d->chart->setAnimationOptions(QChart::NoAnimation);
    d->chart->legend()->hide();  // ChartLegend below: Qt's one-row legend cut names to "default-a…"
    d->chart->setMargins(QMargins(4, 2, 4, 2));
    d->chart->setBackgroundRoundness(0);
    d->axisX = new QValueAxis;
    d->axisX->setLabelFormat(QStringLiteral("%.0f s"));
    d->axisX->setTickCount(7);
    d->axisY = new QValueAxis;
    d->axisY->setLabelFormat(QStringLiteral("%g"));
    d->axisY->setTitleText(unit);
    d->chart->addAxis(d->axisX, Qt::AlignBottom);
    d->chart->addAxis(d->axisY, Qt::AlignLeft);
    d->axisX->setRange(0, d->window);
    d->axisY->setRange(0, 1);
    d->view = new QChartView(d->chart, this);
    d->view->setRenderHint(QPainter::Antialiasing);
    d->view->setMinimumHeight(160);
    d->legend = new ChartLegend(this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(d->view, 1);
    layout->addWidget(d->legend);
    applyPalette(d->chart, d->view, palette());
}

void TimeSeriesChart::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) applyPalette(m_impl->chart, m_impl->view, palette());
}

ChartLegend* TimeSeriesChart::legend() const { return m_impl->legend; }
QColor TimeSeriesChart::backgroundColorForTest() const { return m_impl->chart->backgroundBrush().color(); }

TimeSeriesChart::~TimeSeriesChart() { delete m_impl; }

void TimeSeriesChart::setWindowSeconds(double seconds) {
    m_impl->window = std::max(5.0, seconds);
    m_impl->updateAxes();
}

void TimeSeriesChart::setMaxPoints(int points) { m_impl->maxPoints = std::max(2, points); }

void TimeSeriesChart::append(double t, const QVector<QPair<QString, double>>& values) {
    auto* d = m_impl;
    d->lastT = std::max(d->lastT, t);
    const double lo = d->lastT - d->window - 1;
    for (const auto& [name, value] : values) {
        auto& l = d->line(name);
        l.points.append(QPointF(t, value));
        // Cap history: the window and a hard point limit, whichever is smaller.
        int drop = 0;
        while (drop < l.points.size() - 1 && l.points[drop].x() < lo) ++drop;
        drop = std::max<qsizetype>(drop, l.points.size() - d->maxPoints);
        if (drop > 0) l.points.remove(0, drop);
    }
    if (!isVisible()) {
        d->dirty = true;
        return;
    }
    d->flush();
}

void TimeSeriesChart::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_impl->dirty) m_impl->flush();
}

void TimeSeriesChart::clear() {
    auto* d = m_impl;
    for (auto& l : d->lines) {
        d->chart->removeSeries(l.series);
        delete l.series;
    }
    d->lines.clear();
    d->order.clear();
    d->updateLegend();
    d->lastT = 0;
    d->dirty = false;
    d->updateAxes();
}

void TimeSeriesChart::setSeriesColor(const QString& series, const QColor& color) {
    auto it = m_impl->lines.find(series);
    if (it == m_impl->lines.end() || it->series->pen().color() == color) return;
    QPen pen = it->series->pen();
    pen.setColor(color);
    it->series->setPen(pen);
    it->series->setColor(color);
    m_impl->updateLegend();
}

int TimeSeriesChart::seriesCountForTest() const { return m_impl->lines.size(); }
int TimeSeriesChart::pointCountForTest(const QString& series) const {
    auto it = m_impl->lines.constFind(series);
    return it == m_impl->lines.cend() ? 0 : int(it->points.size());
}
double TimeSeriesChart::lastValueForTest(const QString& series) const {
    auto it = m_impl->lines.constFind(series);
    return it == m_impl->lines.cend() || it->points.isEmpty() ? -1 : it->points.last().y();
}

}  // namespace ilab::ui::charts
