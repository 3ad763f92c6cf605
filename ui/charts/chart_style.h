#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
QT_END_NAMESPACE

// Colours of the lab charts taken from the widget palette, so the charts follow the light and dark themes (Qt
// Charts' own themes are fixed and were left white in the dark theme: issue 15 item 5). Only ui/charts/ uses it.
namespace ilab::ui::charts {

bool isDark(const QPalette& palette);
// Background, plot area, title, axis labels / lines / grid from `palette`. Series colours are left alone.
void applyPalette(QChart* chart, QChartView* view, const QPalette& palette);
// Ink for thin overlays (interval whiskers) that must contrast with the background.
QColor overlayInk(const QPalette& palette);
// The colour of the controller's own error answers in every chart (a red that reads on light and dark).
QColor errorColor();

// "default-agent-stable-80" -> "agent-stable:80" (the namespace when it is not "default" is kept); other names as
// they are. Not elided: the legend and the axis decide that from the room they have.
QString upstreamLabel(const QString& upstream);

}  // namespace ilab::ui::charts
