#include "ui/charts/share_chart.h"

#include <algorithm>
#include <cmath>

#include <QCursor>
#include <QEvent>
#include <QFontMetricsF>
#include <QHelpEvent>
#include <QToolTip>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <QVBoxLayout>

#include "ui/charts/chart_legend.h"
#include "ui/charts/chart_style.h"
#include "ui/lab/live_label.h"

namespace ilab::ui::charts {

namespace {
const QColor BAR_COLOR(60, 130, 200);
const QColor WEIGHT_COLOR(220, 90, 20);
// Clear space between two neighbouring x-axis labels, in pixels.
constexpr qreal LABEL_GAP = 8;

bool isSeparator(QChar c) {
    return c == QLatin1Char('-') || c == QLatin1Char('.') || c == QLatin1Char('/') || c == QLatin1Char(' ');
}

// `s` on one line narrower than `width`, elided in the middle when it must be.
QString fitLine(const QString& s, const QFontMetricsF& fm, qreal width) {
    return fm.horizontalAdvance(s) < width ? s : fm.elidedText(s, Qt::ElideMiddle, width - 1);
}

// A name too long for one line on two, broken after a separator: the head up to the last separator that fits
// (its separator may hang into the gap between labels), the rest elided in the middle. "agent-stable-6c9d8f7b5-x2k4p"
// -> "agent-stable-" / "6c9d…x2k4p": the Deployment and the pod's own suffix. Lines are joined by "\n".
QString twoLines(const QString& n, const QFontMetricsF& fm, qreal width) {
    qsizetype split = -1;
    for (qsizetype k = 1; k + 1 < n.size(); ++k)
        if (isSeparator(n[k]) && fm.horizontalAdvance(n.left(k)) < width) split = k;
    if (split < 0)
        for (qsizetype k = 1; k + 1 < n.size() && split < 0; ++k)
            if (isSeparator(n[k])) split = k;
    if (split < 0) return fitLine(n, fm, width);
    const QString head = fm.horizontalAdvance(n.left(split)) < width ? n.left(split + 1) : fitLine(n.left(split + 1), fm, width);
    return head + QLatin1Char('\n') + fitLine(n.mid(split + 1), fm, width);
}

// Axis labels for `names`, each line narrower than `width` in `fm`. A name that fits is kept; a longer one goes on
// two lines (twoLines), which keeps what tells Kubernetes names apart: the Deployment or Service at the start and the
// pod's own suffix (or the port) at the end. Labels stay distinct and non-empty, because QBarCategoryAxis drops a
// repeated or empty category and every bar after it would then sit under the wrong name: names that come out alike
// (they differ only in the middle) show the part from their first difference on, and as a last resort are numbered.
// The full names are in the tooltips.
QStringList fittedLabels(const QStringList& names, const QFontMetricsF& fm, qreal width) {
    const QString ellipsis(QChar(0x2026));
    QStringList out;
    for (const auto& n : names) out << (fm.horizontalAdvance(n) < width ? n : twoLines(n, fm, width));
    const QStringList middle = out;
    auto clashes = [&out](int i) { return out[i].isEmpty() || out.count(out[i]) > 1; };
    QVector<int> clashing;
    for (int i = 0; i < out.size(); ++i)
        if (clashes(i)) clashing << i;
    for (int i : clashing) {
        qsizetype differs = 0;  // the longest prefix shared with a name that elided alike
        for (int j : clashing)
            if (j != i && middle[j] == middle[i]) {
                qsizetype k = 0;
                while (k < names[i].size() && k < names[j].size() && names[i][k] == names[j][k]) ++k;
                differs = std::max(differs, k);
            }
        // From the start of the word that differs, under the first line when it still says something:
        // "checkout-frontend-canary-a-replica-set" -> "checkout-" / "…a-replica-s…".
        qsizetype from = differs;
        while (from > 0 && names[i][from - 1].isLetterOrNumber()) --from;
        const QString head = middle[i].section(QLatin1Char('\n'), 0, 0);
        const bool keepHead = middle[i].contains(QLatin1Char('\n')) && !head.contains(ellipsis) && head.size() <= from;
        out[i] = (keepHead ? head + QLatin1Char('\n') : QString()) + ellipsis +
                 fm.elidedText(names[i].mid(from), Qt::ElideRight, width - 1 - fm.horizontalAdvance(ellipsis));
    }
    for (int i : clashing)
        if (clashes(i) || out[i] == ellipsis + ellipsis || out[i] == ellipsis) out[i] = QStringLiteral("#%1").arg(i + 1);
    return out;
}
}  // namespace

struct ShareChart::Impl {
    QChart* chart = nullptr;
    QChartView* view = nullptr;
    QBarSeries* bars = nullptr;
    QBarSet* observed = nullptr;  // backends in BAR_COLOR; error groups are "selected" bars in errorColor()
    QBarCategoryAxis* axisX = nullptr;
    QValueAxis* axisY = nullptr;
    ChartLegend* legend = nullptr;
    QVector<QLineSeries*> whiskers;  // one per backend: the 95% interval as a vertical segment with caps
    QVector<QLineSeries*> weights;   // one per backend: configured weight as a dashed horizontal tick
    QStringList names;
    QStringList fullLabels;          // per category: the name as the axis would show it with room enough
    QVector<bool> errors;            // per category: a group of the controller's error answers
    QVector<bool> pods;              // per category: a pod name (drawn as is, not as an upstream)
    QVector<ShareInterval> intervals;
    quint64 total = 0;
    // The request count changes every snapshot: shown in a LiveLabel, not the chart title (a new title re-lays
    // out the whole chart).
    ilab::ui::LiveLabel* count = nullptr;

    void updateLegend(const QPalette& palette) {
        QVector<ChartLegend::Entry> entries;
        const bool anyBackend = errors.contains(false) || names.isEmpty();
        if (anyBackend) entries.append({QObject::tr("observed share %"), QString(), BAR_COLOR, ChartLegend::Shape::Box});
        if (errors.contains(true))
            entries.append({QObject::tr("error answers (no backend)"),
                            QObject::tr("Requests the controller answered itself with an error (Service not found, "
                                        "no endpoints, upstream timeout, ...): they reached no backend."),
                            errorColor(), ChartLegend::Shape::Box});
        entries.append({QObject::tr("95% interval"), QString(), overlayInk(palette), ChartLegend::Shape::Whisker});
        entries.append({QObject::tr("configured weight"), QString(), WEIGHT_COLOR, ChartLegend::Shape::DashLine});
        legend->setEntries(entries);
    }

    void applyPalette(const QPalette& palette) {
        charts::applyPalette(chart, view, palette);
        for (auto* w : whiskers) {
            QPen wp(overlayInk(palette));
            wp.setWidth(2);
            w->setPen(wp);
        }
        observed->setLabelColor(isDark(palette) ? QColor(250, 250, 250) : QColor(255, 255, 255));
        updateLegend(palette);
    }

    void rebuild(const QStringList& newNames, const QVector<bool>& newErrors, const QVector<bool>& newPods,
                 const QPalette& palette) {
        for (auto* s : whiskers) { chart->removeSeries(s); delete s; }
        for (auto* s : weights) { chart->removeSeries(s); delete s; }
        whiskers.clear();
        weights.clear();
        observed->remove(0, observed->count());
        fullLabels.clear();
        for (int i = 0; i < newNames.size(); ++i)
            fullLabels << (newErrors.value(i) || newPods.value(i) ? newNames[i] : upstreamLabel(newNames[i]));
        QStringList html;
        for (const auto& l : fullLabels) html << axisText(l);
        axisX->clear();
        axisX->append(html.isEmpty() ? QStringList{QStringLiteral(" ")} : html);
        for (int i = 0; i < newNames.size(); ++i) {
            auto* w = new QLineSeries;
            QPen wp(overlayInk(palette));
            wp.setWidth(2);
            w->setPen(wp);
            chart->addSeries(w);
            w->attachAxis(axisX);
            w->attachAxis(axisY);
            whiskers << w;
            auto* g = new QLineSeries;
            QPen gp(WEIGHT_COLOR);
            gp.setWidth(3);
            gp.setStyle(Qt::DashLine);
            g->setPen(gp);
            chart->addSeries(g);
            g->attachAxis(axisX);
            g->attachAxis(axisY);
            weights << g;
        }
        names = newNames;
        errors = newErrors;
        pods = newPods;
        updateLegend(palette);
        fitLabels();
    }

    // The axis labels for the width each bar gets now (on every change of names or of the plot area): two lines,
    // elided in the middle, not rotated. Rotated 45 degrees, six pod names take ~130 px of a 250 px chart's height
    // from the bars and read sideways; two lines cost one line of height and keep the Deployment and the pod's
    // suffix, and the middle of "agent-stable-6c9d8f7b5-x2k4p" (the ReplicaSet hash) says least. Hovering a bar's
    // column or its label names it in full (eventFilter).
    void fitLabels() {
        const qreal plotWidth = chart->plotArea().width();
        if (fullLabels.isEmpty() || plotWidth <= 0) return;  // not laid out yet: plotAreaChanged comes
        const QStringList labels =
            fittedLabels(fullLabels, QFontMetricsF(axisX->labelsFont()), plotWidth / fullLabels.size() - LABEL_GAP);
        QStringList html;
        for (const auto& l : labels) html << axisText(l);
        if (html != axisX->categories()) axisX->setCategories(html);
    }

    // Qt draws axis labels as rich text: escaped, and two lines centred under the bar.
    static QString axisText(const QString& label) {
        QString html = label.toHtmlEscaped();
        if (!html.contains(QLatin1Char('\n'))) return html;
        return QStringLiteral("<center>%1</center>").arg(html.replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    }

    // The category whose column (bar, whisker and axis label below it) holds `scenePos`; -1 when none.
    int categoryAt(const QPointF& scenePos) const {
        const QPointF p = chart->mapFromScene(scenePos);
        const QRectF plot = chart->plotArea();
        if (names.isEmpty() || p.x() < plot.left() || p.x() >= plot.right() || p.y() < plot.top()) return -1;
        return std::min(int((p.x() - plot.left()) / (plot.width() / names.size())), int(names.size()) - 1);
    }

    QString toolTip(int index) const {
        const auto& iv = intervals.value(index);
        return QObject::tr("%1\n%2 % of %L3 requests (95% interval %4–%5 %)%6")
            .arg(names[index])
            .arg(iv.share * 100, 0, 'f', 1)
            .arg(total)
            .arg(iv.low * 100, 0, 'f', 1)
            .arg(iv.high * 100, 0, 'f', 1)
            .arg(errors.value(index) ? QObject::tr("\nThe controller answered these itself: no backend got them.")
                                     : QString());
    }
};

ShareChart::ShareChart(QWidget* parent) : QWidget(parent), m_impl(new Impl) {
    auto* d = m_impl;
    d->chart = new QChart;
    d->chart->setTitle(tr("Share per backend (observed vs configured)"));
    d->chart->setAnimationOptions(QChart::NoAnimation);
    d->chart->legend()->hide();  // ChartLegend below: full names on as many rows as needed
    d->chart->setMargins(QMargins(4, 2, 4, 2));
    d->chart->setBackgroundRoundness(0);
    d->bars = new QBarSeries;
    d->observed = new QBarSet(tr("observed share %"));
    d->observed->setColor(BAR_COLOR);
    d->observed->setSelectedColor(errorColor());
    d->bars->append(d->observed);
    d->bars->setBarWidth(0.5);
    d->bars->setLabelsVisible(true);
    d->bars->setLabelsFormat(QStringLiteral("@value%"));
    d->bars->setLabelsPosition(QAbstractBarSeries::LabelsCenter);  // clear of the interval whisker at the top
    d->bars->setLabelsPrecision(3);
    d->chart->addSeries(d->bars);
    d->axisX = new QBarCategoryAxis;
    // Qt would elide "agent-stable:80" well before it has to, and always at the end (all pods of a Deployment would
    // read "agent-stable-6…"): fitLabels() elides for the real width instead.
    d->axisX->setTruncateLabels(false);
    d->axisY = new QValueAxis;
    d->axisY->setRange(0, 100);
    d->axisY->setLabelFormat(QStringLiteral("%d%%"));
    d->axisY->setTickCount(6);
    d->chart->addAxis(d->axisX, Qt::AlignBottom);
    d->chart->addAxis(d->axisY, Qt::AlignLeft);
    d->bars->attachAxis(d->axisX);
    d->bars->attachAxis(d->axisY);
    QObject::connect(d->bars, &QBarSeries::hovered, this, [this](bool on, int index, QBarSet*) {
        auto* d = m_impl;
        if (!on || index < 0 || index >= d->names.size()) {
            QToolTip::hideText();
            return;
        }
        QToolTip::showText(QCursor::pos(), d->toolTip(index), d->view);
    });
    // Queued: the new labels must not re-lay out the chart from inside its own layout pass.
    QObject::connect(d->chart, &QChart::plotAreaChanged, this, [this] { m_impl->fitLabels(); }, Qt::QueuedConnection);
    d->view = new QChartView(d->chart, this);
    d->view->viewport()->installEventFilter(this);
    d->view->setRenderHint(QPainter::Antialiasing);
    d->view->setMinimumHeight(160);
    d->legend = new ChartLegend(this);
    d->count = new ilab::ui::LiveLabel(this, 40);
    d->count->setAlignment(Qt::AlignHCenter | Qt::AlignVCenter);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(d->view, 1);
    layout->addWidget(d->legend);
    layout->addWidget(d->count);
    d->rebuild({}, {}, {}, palette());
    d->applyPalette(palette());
}

ShareChart::~ShareChart() { delete m_impl; }

// A tooltip anywhere in a bar's column or on its axis label names the category in full (a label may be elided, and
// a bar at 0 % has nothing to hover).
bool ShareChart::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::ToolTip && watched == m_impl->view->viewport()) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int index = m_impl->categoryAt(m_impl->view->mapToScene(help->pos()));
        if (index >= 0)
            QToolTip::showText(help->globalPos(), m_impl->toolTip(index), m_impl->view);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void ShareChart::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) m_impl->applyPalette(palette());
}

void ShareChart::setShares(const QVector<BackendShare>& input) {
    auto* d = m_impl;
    // Backends first, then the error groups: an error group is never drawn among (or as) the backends.
    QVector<BackendShare> shares;
    for (const auto& s : input)
        if (!s.error) shares << s;
    for (const auto& s : input)
        if (s.error) shares << s;
    QStringList names;
    QVector<bool> errors, pods;
    quint64 total = 0;
    for (const auto& s : shares) {
        names << s.name;
        errors << s.error;
        pods << s.pod;
        total += s.requests;
    }
    if (names != d->names || errors != d->errors || pods != d->pods) d->rebuild(names, errors, pods, palette());
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
        if (shares[i].configuredPercent >= 0 && !shares[i].error)
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
    for (int i = 0; i < errors.size(); ++i) d->observed->setBarSelected(i, errors[i]);
    d->total = total;
    d->count->setText(total ? tr("%L1 request(s) since the traffic started").arg(total) : QString());
}

quint64 ShareChart::totalRequests() const { return m_impl->total; }

void ShareChart::clear() {
    m_impl->rebuild({}, {}, {}, palette());
    m_impl->intervals.clear();
    m_impl->total = 0;
    m_impl->count->setText(QString());
}

QVector<ShareInterval> ShareChart::intervalsForTest() const { return m_impl->intervals; }
QStringList ShareChart::categoriesForTest() const { return m_impl->names; }
QStringList ShareChart::backendCategories() const {
    QStringList out;
    for (int i = 0; i < m_impl->names.size(); ++i)
        if (!m_impl->errors.value(i)) out << m_impl->names[i];
    return out;
}
QStringList ShareChart::errorCategories() const {
    QStringList out;
    for (int i = 0; i < m_impl->names.size(); ++i)
        if (m_impl->errors.value(i)) out << m_impl->names[i];
    return out;
}
QColor ShareChart::barColorForTest(int index) const {
    if (index < 0 || index >= m_impl->observed->count()) return {};
    return m_impl->observed->isBarSelected(index) ? m_impl->observed->selectedColor() : m_impl->observed->color();
}
QColor ShareChart::backgroundColorForTest() const { return m_impl->chart->backgroundBrush().color(); }
ChartLegend* ShareChart::legend() const { return m_impl->legend; }

}  // namespace ilab::ui::charts
