#include "ui/charts/share_chart.h"

#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <QVBoxLayout>

#include "ui/lab/live_label.h"

namespace ilab::ui::charts {

namespace {
QString shortName(const QString& upstream) {
    // Upstreams are "<namespace>-<service>-<port>": an axis label shows "agent-stable:80" (the namespace when it
    // is not "default"), and elides the middle of very long names.
    QString s = upstream;
    const int dash = int(s.lastIndexOf(QLatin1Char('-')));
    bool isPort = false;
    if (dash > 0) s.mid(dash + 1).toInt(&isPort);
    if (isPort) s = s.left(dash) + QLatin1Char(':') + s.mid(dash + 1);
    if (s.startsWith(QLatin1String("default-"))) s = s.mid(8);
    return s.size() > 30 ? s.left(14) + QStringLiteral("…") + s.right(14) : s;
}
}  // namespace

struct ShareChart::Impl {
    QChart* chart = nullptr;
    QBarSeries* bars = nullptr;
    QBarSet* observed = nullptr;
    QBarCategoryAxis* axisX = nullptr;
    QValueAxis* axisY = nullptr;
    QVector<QLineSeries*> whiskers;  // one per backend: the 95% interval as a vertical segment with caps
    QVector<QLineSeries*> weights;   // one per backend: configured weight as a dashed horizontal tick
    QStringList names;
    QVector<ShareInterval> intervals;
    quint64 total = 0;
    // The request count changes every snapshot: shown in a LiveLabel, not the chart title (a new title re-lays
    // out the whole chart).
    ilab::ui::LiveLabel* count = nullptr;

    void rebuild(const QStringList& newNames) {
        for (auto* s : whiskers) { chart->removeSeries(s); delete s; }
        for (auto* s : weights) { chart->removeSeries(s); delete s; }
        whiskers.clear();
        weights.clear();
        observed->remove(0, observed->count());
        QStringList labels;
        for (const auto& n : newNames) labels << shortName(n);
        axisX->clear();
        axisX->append(labels.isEmpty() ? QStringList{QStringLiteral(" ")} : labels);
        for (int i = 0; i < newNames.size(); ++i) {
            auto* w = new QLineSeries;
            w->setName(i == 0 ? QObject::tr("95% interval") : QString());
            QPen wp(QColor(40, 40, 40));
            wp.setWidth(2);
            w->setPen(wp);
            chart->addSeries(w);
            w->attachAxis(axisX);
            w->attachAxis(axisY);
            whiskers << w;
            auto* g = new QLineSeries;
            g->setName(i == 0 ? QObject::tr("configured weight") : QString());
            QPen gp(QColor(220, 90, 20));
            gp.setWidth(3);
            gp.setStyle(Qt::DashLine);
            g->setPen(gp);
            chart->addSeries(g);
            g->attachAxis(axisX);
            g->attachAxis(axisY);
            weights << g;
        }
        // Only the first whisker and weight series appear in the legend.
        for (auto* m : chart->legend()->markers()) {
            auto* s = m->series();
            const int wi = whiskers.indexOf(static_cast<QLineSeries*>(s));
            const int gi = weights.indexOf(static_cast<QLineSeries*>(s));
            if (wi > 0 || gi > 0) m->setVisible(false);
        }
        names = newNames;
    }
};

ShareChart::ShareChart(QWidget* parent) : QWidget(parent), m_impl(new Impl) {
    auto* d = m_impl;
    d->chart = new QChart;
    d->chart->setTitle(tr("Share per backend (observed vs configured)"));
    d->chart->setAnimationOptions(QChart::NoAnimation);
    d->chart->legend()->setAlignment(Qt::AlignBottom);
    d->chart->setMargins(QMargins(4, 2, 4, 2));
    d->chart->setBackgroundRoundness(0);
    d->bars = new QBarSeries;
    d->observed = new QBarSet(tr("observed share %"));
    d->observed->setColor(QColor(60, 130, 200));
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
    auto* view = new QChartView(d->chart, this);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(180);
    d->count = new ilab::ui::LiveLabel(this, 40);
    d->count->setAlignment(Qt::AlignHCenter | Qt::AlignVCenter);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(view, 1);
    layout->addWidget(d->count);
    d->rebuild({});
}

ShareChart::~ShareChart() { delete m_impl; }

void ShareChart::setShares(const QVector<BackendShare>& shares) {
    auto* d = m_impl;
    QStringList names;
    quint64 total = 0;
    for (const auto& s : shares) {
        names << s.name;
        total += s.requests;
    }
    if (names != d->names) d->rebuild(names);
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
        if (shares[i].configuredPercent >= 0)
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
    d->total = total;
    d->count->setText(total ? tr("%L1 request(s) since the traffic started").arg(total) : QString());
}

quint64 ShareChart::totalRequests() const { return m_impl->total; }

void ShareChart::clear() {
    m_impl->rebuild({});
    m_impl->intervals.clear();
    m_impl->total = 0;
    m_impl->count->setText(QString());
}

QVector<ShareInterval> ShareChart::intervalsForTest() const { return m_impl->intervals; }
QStringList ShareChart::categoriesForTest() const { return m_impl->names; }

}  // namespace ilab::ui::charts
