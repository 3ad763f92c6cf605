#include "ui/charts/live_charts.h"

#include <QGridLayout>

#include "ui/charts/share_chart.h"
#include "ui/charts/time_series_chart.h"

namespace ilab::ui::charts {

LiveCharts::LiveCharts(QWidget* parent) : QWidget(parent) {
    m_share = new ShareChart(this);
    m_rate = new TimeSeriesChart(tr("Requests per second per backend"), tr("req/s"), this);
    m_latency = new TimeSeriesChart(tr("Latency"), tr("ms"), this);
    m_status = new TimeSeriesChart(tr("Status classes"), tr("req/s"), this);
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(4);
    grid->addWidget(m_share, 0, 0);
    grid->addWidget(m_rate, 0, 1);
    grid->addWidget(m_latency, 1, 0);
    grid->addWidget(m_status, 1, 1);
}

void LiveCharts::addSample(const TrafficSample& s) {
    QVector<QPair<QString, double>> rates;
    for (const auto& b : s.backends) rates.append({b.name, b.requestsPerSec});
    m_rate->append(s.timeSec, rates);
    if (s.hasLatency)
        m_latency->append(s.timeSec, {{QStringLiteral("p50"), s.p50Ms}, {QStringLiteral("p90"), s.p90Ms},
                                      {QStringLiteral("p99"), s.p99Ms}});
    m_status->append(s.timeSec, {{QStringLiteral("2xx"), s.status2xx}, {QStringLiteral("3xx"), s.status3xx},
                                 {QStringLiteral("4xx"), s.status4xx}, {QStringLiteral("5xx"), s.status5xx}});
}

void LiveCharts::setShares(const QVector<BackendShare>& shares) { m_share->setShares(shares); }

void LiveCharts::clear() {
    m_share->clear();
    m_rate->clear();
    m_latency->clear();
    m_status->clear();
}

}  // namespace ilab::ui::charts
