#pragma once

class QWidget;

namespace ilab::ui::charts {

// Presenter mode's thick chart lines (issue 15 item 7): every line series of every chart under `root` drawn with
// its pen `factor` times as wide (factor 1: as the chart made it). The width the chart chose is remembered on
// the series, so applying again (series added since) or switching back is exact. GUI thread.
void scaleChartLines(QWidget* root, double factor);
// The widest line pen of the charts under `root` (tests).
double widestChartLine(QWidget* root);
// The thinnest (0 when there is no line series).
double thinnestChartLine(QWidget* root);

}  // namespace ilab::ui::charts
