#pragma once

#include <QPointer>
#include <QVector>
#include <QWidget>

#include "ui/charts/traffic_sample.h"

class QGridLayout;
class QLabel;
class QScrollArea;
class QToolButton;

namespace ilab::ui::charts {

class ShareChart;
class TimeSeriesChart;

// The four live charts of the lab in one widget: share per backend (observed vs configured, with the
// confidence band), requests/s per backend, latency p50/p90/p99 and status classes. GUI thread. The lab pushes
// one TrafficSample per 1-second metrics snapshot and the cumulative shares; nothing here is per request.
//
// Room: each chart has a minimum height (MIN_CHART_HEIGHT) so axis labels and titles are never elided; when the
// lab's area is smaller the charts scroll, and the scroll area always shows one full row. Two columns where two
// charts fit side by side, one column otherwise. "Pop out" moves the charts into their own resizable window (closing
// that window, or "Put back", returns them); the data keeps flowing either way.
class LiveCharts : public QWidget {
    Q_OBJECT
public:
    // Below ~240 px a Qt chart elides its axis labels and titles ("re…", "…") once the legend is drawn.
    static constexpr int MIN_CHART_HEIGHT = 250;
    static constexpr int MIN_CHART_WIDTH = 380;
    // The charts' viewport never gets smaller than this (at 1280x720 the charts were ~40 px of scroll area):
    // one chart row is always fully visible, the second is a scroll away.
    static constexpr int MIN_VISIBLE_HEIGHT = MIN_CHART_HEIGHT;
    static constexpr int GRID_SPACING = 4;

    explicit LiveCharts(QWidget* parent = nullptr);
    ~LiveCharts() override;

    void addSample(const TrafficSample& sample);
    void setShares(const QVector<BackendShare>& shares);
    void clear();

    // Charts in their own top-level window (true) or in this widget (false).
    void setPoppedOut(bool poppedOut);
    bool isPoppedOut() const { return m_window != nullptr; }
    QWidget* popOutWindow() const { return m_window; }

    ShareChart* shareChart() const { return m_share; }
    TimeSeriesChart* rateChart() const { return m_rate; }
    TimeSeriesChart* latencyChart() const { return m_latency; }
    TimeSeriesChart* statusChart() const { return m_status; }

Q_SIGNALS:
    void poppedOutChanged(bool poppedOut);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    ShareChart* m_share = nullptr;
    TimeSeriesChart* m_rate = nullptr;
    TimeSeriesChart* m_latency = nullptr;
    TimeSeriesChart* m_status = nullptr;
    QScrollArea* m_scroll = nullptr;      // holds the grid of charts (moves into the pop-out window)
    QWidget* m_placeholder = nullptr;     // shown here while the charts are popped out
    QToolButton* m_popButton = nullptr;
    QPointer<QWidget> m_window;           // the pop-out window (owned here, deleted when put back)
    QStringList m_backendsSeen;           // backends plotted since clear() (absent ones get 0 req/s)
    QGridLayout* m_grid = nullptr;
    int m_columns = 0;                    // 2 side by side, or 1 when the charts' area is narrow

    void arrange(int columns);
};

}  // namespace ilab::ui::charts
