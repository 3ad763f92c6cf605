#include "ui/charts/share_chart.h"

#include <cmath>

#include <QCursor>
#include <QEvent>
#include <QToolTip>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <QVBoxLayout>

#include "ui/charts/chart_legend.h"
#include "ui/charts/chart_style.h"
#include "ui/lab/live_label.h"

namespace ilab::ui::charts {

namespace {
const QColor BAR_COLOR(60, 130, 200);
const QColor WEIGHT_COLOR(220, 90, 20);
}  // namespace

struct ShareChart::Impl {
    QChart* chart = nullptr;
    QChartView* view = nullptr;
    QBarSeries* bars = nullptr;
    QBarSet* observed = nullptr;  // backends in BAR_COLOR; error groups are "selected" bars in errorColor()
    QBarCategoryAxis* axisX = nullptr;
    QValueAxis* axisY = nullptr;
    ChartLegend* legend = nullptr;
    QVector<QLineSeries*> whiskers;  // one per backend: the 95% interval as a vertical segment with caps
    QVector<QLineSeries*> weights;   // one per backend: configured weight as a dashed horizontal tick
    QStringList names;
    QVector<bool> errors;            // per category: a group of the controller's error answers
    QVector<ShareInterval> intervals;
    quint64 total = 0;
    // The request count changes every snapshot: shown in a LiveLabel, not the chart title (a new title re-lays
    // out the whole chart).
    ilab::ui::LiveLabel* count = nullptr;

    void updateLegend(const QPalette& palette) {
        QVector<ChartLegend::Entry> entries;
        const bool anyBackend = errors.contains(false) || names.isEmpty();
        if (anyBackend) entries.append({QObject::tr("observed share %"), QString(), BAR_COLOR, ChartLegend::Shape::Box});
        if (errors.contains(true))
            entries.append({QObject::tr("error answers (no backend)"),
                            QObject::tr("Requests the controller answered itself with an error (Service not found, "
                                        "no endpoints, upstream timeout, ...): they reached no backend."),
                            errorColor(), ChartLegend::Shape::Box});
        entries.append({QObject::tr("95% interval"), QString(), overlayInk(palette), ChartLegend::Shape::Whisker});
        entries.append({QObject::tr("configured weight"), QString(), WEIGHT_COLOR, ChartLegend::Shape::DashLine});
        legend->setEntries(entries);
    }

    void applyPalette(const QPalette& palette) {
        charts::applyPalette(chart, view, palette);
        for (auto* w : whiskers) {
            QPen wp(overlayInk(palette));
            wp.setWidth(2);
            w->setPen(wp);
        }
        observed->setLabelColor(isDark(palette) ? QColor(250, 250, 250) : QColor(255, 255, 255));
        updateLegend(palette);
    }

    void rebuild(const QStringList& newNames, const QVector<bool>& newErrors, const QPalette& palette) {
        for (auto* s : whiskers) { chart->removeSeries(s); delete s; }
        for (auto* s : weights) { chart->removeSeries(s); delete s; }
        whiskers.clear();
        weights.clear();
        observed->remove(0, observed->count());
        QStringList labels;
        for (int i = 0; i < newNames.size(); ++i) {
            // An axis label is elided only past 30 characters (both ends kept); hovering the bar names it fully.
            const QString l = newErrors.value(i) ? newNames[i] : upstreamLabel(newNames[i]);
            labels << (l.size() > 30 ? l.left(14) + QStringLiteral("…") + l.right(14) : l);
        }
        axisX->clear();
        axisX->append(labels.isEmpty() ? QStringList{QStringLiteral(" ")} : labels);
        for (int i = 0; i < newNames.size(); ++i) {
            auto* w = new QLineSeries;
            QPen wp(overlayInk(palette));
            wp.setWidth(2);
            w->setPen(wp);
            chart->addSeries(w);
            w->attachAxis(axisX);
            w->attachAxis(axisY);
            whiskers << w;
            auto* g = new QLineSeries;
            QPen gp(WEIGHT_COLOR);
            gp.setWidth(3);
            gp.setStyle(Qt::DashLine);
            g->setPen(gp);
            chart->addSeries(g);
            g->attachAxis(axisX);
            g->attachAxis(axisY);
            weights << g;
        }
        names = newNames;
        errors = newErrors;
        updateLegend(palette);
    }
};

ShareChart::ShareChart(QWidget* parent) : QWidget(parent), m_impl(new Impl) {
    auto* d = m_impl;
    d->chart = new QChart;
    d->chart->setTitle(tr("Share per backend (observed vs configured)"));
    d->chart->setAnimationOptions(QChart::NoAnimation);
    d->chart->legend()->hide();  // ChartLegend below: full names on as many rows as needed
    d->chart->setMargins(QMargins(4, 2, 4, 2));
    d->chart->setBackgroundRoundness(0);
    d->bars = new QBarSeries;
    d->observed = new QBarSet(tr("observed share %"));
    d->observed->setColor(BAR_COLOR);
    d->observed->setSelectedColor(errorColor());
    d->bars->append(d->observed);
    d->bars->setBarWidth(0.5);
    d->bars->setLabelsVisible(true);
    d->bars->setLabelsFormat(QStringLiteral("@value%"));
    d->bars->setLabelsPosition(QAbstractBarSeries::LabelsCenter);  // clear of the interval whisker at the top
    d->bars->setLabelsPrecision(3);
    d->chart->addSeries(d->bars);
    d->axisX = new QBarCategoryAxis;
    d->axisX->setTruncateLabels(false);  // "agent-stable:80" fits; Qt would elide it well before it has to
    d->axisY = new QValueAxis;
    d->axisY->setRange(0, 100);
    d->axisY->setLabelFormat(QStringLiteral("%d%%"));
    d->axisY->setTickCount(6);
    d->chart->addAxis(d->axisX, Qt::AlignBottom);
    d->chart->addAxis(d->axisY, Qt::AlignLeft);
    d->bars->attachAxis(d->axisX);
    d->bars->attachAxis(d->axisY);
    QObject::connect(d->bars, &QBarSeries::hovered, this, [this](bool on, int index, QBarSet*) {
        auto* d = m_impl;
        if (!on || index < 0 || index >= d->names.size()) {
            QToolTip::hideText();
            return;
        }
        const auto& iv = d->intervals.value(index);
        QToolTip::showText(QCursor::pos(),
                           tr("%1\n%2 % of %L3 requests (95% interval %4–%5 %)%6")
                               .arg(d->names[index])
                               .arg(iv.share * 100, 0, 'f', 1)
                               .arg(d->total)
                               .arg(iv.low * 100, 0, 'f', 1)
                               .arg(iv.high * 100, 0, 'f', 1)
                               .arg(d->errors.value(index) ? tr("\nThe controller answered these itself: no backend got them.")
                                                           : QString()),
                           d->view);
    });
    d->view = new QChartView(d->chart, this);
    d->view->setRenderHint(QPainter::Antialiasing);
    d->view->setMinimumHeight(160);
    d->legend = new ChartLegend(this);
    d->count = new ilab::ui::LiveLabel(this, 40);
    d->count->setAlignment(Qt::AlignHCenter | Qt::AlignVCenter);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(d->view, 1);
    layout->addWidget(d->legend);
    layout->addWidget(d->count);
    d->rebuild({}, {}, palette());
    d->applyPalette(palette());
}

ShareChart::~ShareChart() { delete m_impl; }

void ShareChart::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) m_impl->applyPalette(palette());
}

void ShareChart::setShares(const QVector<BackendShare>& input) {
    auto* d = m_impl;
    // Backends first, then the error groups: an error group is never drawn among (or as) the backends.
    QVector<BackendShare> shares;
    for (const auto& s : input)
        if (!s.error) shares << s;
    for (const auto& s : input)
        if (s.error) shares << s;
    QStringList names;
    QVector<bool> errors;
    quint64 total = 0;
    for (const auto& s : shares) {
        names << s.name;
        errors << s.error;
        total += s.requests;
    }
    if (names != d->names || errors != d->errors) d->rebuild(names, errors, palette());
    d->intervals.clear();
    QList<qreal> values;
    for (int i = 0; i < shares.size(); ++i) {
        const auto iv = wilsonInterval(shares[i].requests, total);
        d->intervals << iv;
        values << std::round(iv.share * 1000.0) / 10.0;
        const double x = i;
        d->whiskers[i]->replace(QList<QPointF>{{x - 0.08, iv.low * 100}, {x + 0.08, iv.low * 100}, {x, iv.low * 100},
                                               {x, iv.high * 100}, {x - 0.08, iv.high * 100},
                                               {x + 0.08, iv.high * 100}});
        if (shares[i].configuredPercent >= 0 && !shares[i].error)
            d->weights[i]->replace(QList<QPointF>{{x - 0.32, shares[i].configuredPercent},
                                                  {x + 0.32, shares[i].configuredPercent}});
        else
            d->weights[i]->clear();
    }
    if (d->observed->count() == values.size()) {
        for (int i = 0; i < values.size(); ++i) d->observed->replace(i, values[i]);
    } else {
        d->observed->remove(0, d->observed->count());
        d->observed->append(values);
    }
    for (int i = 0; i < errors.size(); ++i) d->observed->setBarSelected(i, errors[i]);
    d->total = total;
    d->count->setText(total ? tr("%L1 request(s) since the traffic started").arg(total) : QString());
}

quint64 ShareChart::totalRequests() const { return m_impl->total; }

void ShareChart::clear() {
    m_impl->rebuild({}, {}, palette());
    m_impl->intervals.clear();
    m_impl->total = 0;
    m_impl->count->setText(QString());
}

QVector<ShareInterval> ShareChart::intervalsForTest() const { return m_impl->intervals; }
QStringList ShareChart::categoriesForTest() const { return m_impl->names; }
QStringList ShareChart::backendCategories() const {
    QStringList out;
    for (int i = 0; i < m_impl->names.size(); ++i)
        if (!m_impl->errors.value(i)) out << m_impl->names[i];
    return out;
}
QStringList ShareChart::errorCategories() const {
    QStringList out;
    for (int i = 0; i < m_impl->names.size(); ++i)
        if (m_impl->errors.value(i)) out << m_impl->names[i];
    return out;
}
QColor ShareChart::barColorForTest(int index) const {
    if (index < 0 || index >= m_impl->observed->count()) return {};
    return m_impl->observed->isBarSelected(index) ? m_impl->observed->selectedColor() : m_impl->observed->color();
}
QColor ShareChart::backgroundColorForTest() const { return m_impl->chart->backgroundBrush().color(); }
ChartLegend* ShareChart::legend() const { return m_impl->legend; }

}  // namespace ilab::ui::charts
