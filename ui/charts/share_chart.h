#pragma once

#include <QVector>
#include <QWidget>

#include "ui/charts/traffic_sample.h"

namespace ilab::ui::charts {

// Bar chart of the observed share per backend (cumulative since the last reset) with its 95% Wilson interval
// as a whisker and the configured weight as a marker. GUI thread. The Qt Charts objects stay behind the pimpl
// so the header carries no Qt Charts type (style.md F.20).
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

private:
    struct Impl;
    Impl* m_impl = nullptr;
};

}  // namespace ilab::ui::charts
