#pragma once

#include <QVector>
#include <QWidget>

#include "ui/charts/traffic_sample.h"

namespace ilab::ui::charts {

class ChartLegend;

// Bar chart of the observed share per backend (cumulative since the last reset) with its 95% Wilson interval
// as a whisker and the configured weight as a marker. GUI thread. The Qt Charts objects stay behind the pimpl
// so the header carries no Qt Charts type (style.md F.20). Groups of the controller's own error answers
// (BackendShare::error) come after the backends, in their own colour and legend entry; the shares are of all
// requests that got an answer, so a route that fails shows up as a red bar, never as a healthy backend. Colours
// follow the palette (light and dark themes). The x-axis labels fit the width each bar gets (long pod names are
// elided in the middle); hovering a bar's column or its label shows the full name.
class ShareChart : public QWidget {
    Q_OBJECT
public:
    explicit ShareChart(QWidget* parent = nullptr);
    ~ShareChart() override;

    void setShares(const QVector<BackendShare>& shares);
    void clear();

    // What is drawn, for tests: per backend {observed %, low %, high %}.
    QVector<ShareInterval> intervalsForTest() const;
    QStringList categoriesForTest() const;
    quint64 totalRequests() const;  // requests behind the shares shown
    QStringList backendCategories() const;  // names drawn as backends
    QStringList errorCategories() const;    // groups drawn as error answers ("503 Service not found")
    QColor barColorForTest(int index) const;
    QColor backgroundColorForTest() const;
    ChartLegend* legend() const;

protected:
    void changeEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Impl;
    Impl* m_impl = nullptr;
};

}  // namespace ilab::ui::charts
