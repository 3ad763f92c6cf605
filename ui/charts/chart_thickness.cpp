#include "ui/charts/chart_thickness.h"

#include <algorithm>

#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QXYSeries>

namespace ilab::ui::charts {

namespace {
constexpr const char* BASE_WIDTH = "ilabBaseLineWidth";
}

void scaleChartLines(QWidget* root, double factor) {
    if (!root) return;
    for (QChartView* view : root->findChildren<QChartView*>()) {
        QChart* chart = view->chart();
        if (!chart) continue;
        for (QAbstractSeries* s : chart->series()) {
            auto* xy = qobject_cast<QXYSeries*>(s);
            if (!xy) continue;
            QVariant base = xy->property(BASE_WIDTH);
            if (!base.isValid()) {
                base = xy->pen().widthF();
                xy->setProperty(BASE_WIDTH, base);
            }
            QPen pen = xy->pen();
            const double want = base.toDouble() * factor;
            if (pen.widthF() == want) continue;
            pen.setWidthF(want);
            xy->setPen(pen);
        }
    }
}

double widestChartLine(QWidget* root) {
    double widest = 0;
    if (!root) return widest;
    for (QChartView* view : root->findChildren<QChartView*>())
        if (view->chart())
            for (QAbstractSeries* s : view->chart()->series())
                if (auto* xy = qobject_cast<QXYSeries*>(s)) widest = std::max(widest, xy->pen().widthF());
    return widest;
}

double thinnestChartLine(QWidget* root) {
    double thinnest = 0;
    if (!root) return thinnest;
    for (QChartView* view : root->findChildren<QChartView*>())
        if (view->chart())
            for (QAbstractSeries* s : view->chart()->series())
                if (auto* xy = qobject_cast<QXYSeries*>(s)) thinnest = thinnest == 0 ? xy->pen().widthF() : std::min(thinnest, xy->pen().widthF());
    return thinnest;
}

}  // namespace ilab::ui::charts
