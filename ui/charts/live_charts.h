#pragma once

#include <QVector>
#include <QWidget>

#include "ui/charts/traffic_sample.h"

namespace ilab::ui::charts {

class ShareChart;
class TimeSeriesChart;

// The four live charts of the lab in one widget: share per backend (observed vs configured, with the
// confidence band), requests/s per backend, latency p50/p90/p99 and status classes. GUI thread. The lab pushes
// one TrafficSample per 1-second metrics snapshot and the cumulative shares; nothing here is per request.
class LiveCharts : public QWidget {
    Q_OBJECT
public:
    explicit LiveCharts(QWidget* parent = nullptr);

    void addSample(const TrafficSample& sample);
    void setShares(const QVector<BackendShare>& shares);
    void clear();

    ShareChart* shareChart() const { return m_share; }
    TimeSeriesChart* rateChart() const { return m_rate; }
    TimeSeriesChart* latencyChart() const { return m_latency; }
    TimeSeriesChart* statusChart() const { return m_status; }

private:
    ShareChart* m_share = nullptr;
    TimeSeriesChart* m_rate = nullptr;
    TimeSeriesChart* m_latency = nullptr;
    TimeSeriesChart* m_status = nullptr;
};

}  // namespace ilab::ui::charts
