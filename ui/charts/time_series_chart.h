#pragma once

#include <QPair>
#include <QString>
#include <QVector>
#include <QWidget>

namespace ilab::ui::charts {

class ChartLegend;

// A line chart of named series over time (x = seconds since the run started) that keeps a sliding window of
// the last `windowSeconds` and at most `maxPoints` points per series (history is capped so memory and redraw
// cost stay flat in a long run). Series appear the first time a name is appended. GUI thread; fed by the
// lab's snapshot timer, never per request. The legend (ChartLegend) shows full names; colours follow the palette.
class TimeSeriesChart : public QWidget {
    Q_OBJECT
public:
    TimeSeriesChart(const QString& title, const QString& unit, QWidget* parent = nullptr);
    ~TimeSeriesChart() override;

    void setWindowSeconds(double seconds);
    void setMaxPoints(int points);
    // One point per named value at time t (seconds). Series not mentioned get no point.
    void append(double t, const QVector<QPair<QString, double>>& values);
    void clear();
    // Draws `series` (once it exists) in `color` instead of its palette colour.
    void setSeriesColor(const QString& series, const QColor& color);

    int seriesCountForTest() const;
    int pointCountForTest(const QString& series) const;
    double lastValueForTest(const QString& series) const;
    ChartLegend* legend() const;
    QColor backgroundColorForTest() const;

protected:
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Impl;
    Impl* m_impl = nullptr;
};

}  // namespace ilab::ui::charts
