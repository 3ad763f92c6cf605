#include "ui/charts/chart_legend.h"

#include <QEvent>
#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

namespace ilab::ui::charts {

namespace {
constexpr int SWATCH = 14;     // width of the colour sample
constexpr int GAP = 5;         // swatch to text
constexpr int SPACING = 14;    // between entries
constexpr int MARGIN = 4;
}  // namespace

ChartLegend::ChartLegend(QWidget* parent) : QWidget(parent) {
    QSizePolicy p(QSizePolicy::Preferred, QSizePolicy::Minimum);
    p.setHeightForWidth(true);
    setSizePolicy(p);
}

void ChartLegend::setEntries(const QVector<Entry>& entries) {
    if (entries == m_entries) return;
    m_entries = entries;
    relayout();
    updateGeometry();  // the number of rows may change (rare: a new backend or error group)
    update();
}

QVector<ChartLegend::Placed> ChartLegend::layoutFor(int width) const {
    QVector<Placed> out;
    const QFontMetrics fm(font());
    const int rowH = std::max(fm.height(), SWATCH) + 2;
    const int avail = std::max(1, width - 2 * MARGIN);
    int x = MARGIN, y = MARGIN;
    for (const auto& e : m_entries) {
        QString shown = e.text;
        int w = SWATCH + GAP + fm.horizontalAdvance(shown);
        if (w > avail) {  // too wide even for a row of its own: elide the middle, keep both ends
            shown = fm.elidedText(e.text, Qt::ElideMiddle, avail - SWATCH - GAP);
            w = SWATCH + GAP + fm.horizontalAdvance(shown);
        }
        if (x > MARGIN && x + w > MARGIN + avail) {
            x = MARGIN;
            y += rowH;
        }
        out.append({QRect(x, y, w, rowH), shown});
        x += w + SPACING;
    }
    return out;
}

void ChartLegend::relayout() { m_placed = layoutFor(width()); }

QStringList ChartLegend::displayedTexts() const {
    QStringList out;
    for (const auto& p : m_placed) out << p.shown;
    return out;
}

QString ChartLegend::toolTipAt(const QPoint& pos) const {
    for (int i = 0; i < m_placed.size(); ++i)
        if (m_placed[i].rect.contains(pos))
            return m_entries[i].toolTip.isEmpty() ? m_entries[i].text : m_entries[i].toolTip;
    return {};
}

QStringList ChartLegend::toolTips() const {
    QStringList out;
    for (const auto& e : m_entries) out << (e.toolTip.isEmpty() ? e.text : e.toolTip);
    return out;
}

int ChartLegend::heightForWidth(int width) const {
    const auto placed = layoutFor(width);
    if (placed.isEmpty()) return 0;
    return placed.last().rect.bottom() + 1 + MARGIN;
}

QSize ChartLegend::sizeHint() const {
    const int w = std::max(width(), 200);
    return {w, heightForWidth(w)};
}

QSize ChartLegend::minimumSizeHint() const { return {0, heightForWidth(std::max(width(), 200))}; }

bool ChartLegend::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString tip = toolTipAt(help->pos());
        if (tip.isEmpty()) QToolTip::hideText();
        else QToolTip::showText(help->globalPos(), tip, this);
        return true;
    }
    return QWidget::event(event);
}

void ChartLegend::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    const int before = m_placed.isEmpty() ? 0 : m_placed.last().rect.bottom();
    relayout();
    const int after = m_placed.isEmpty() ? 0 : m_placed.last().rect.bottom();
    if (before != after) updateGeometry();
}

void ChartLegend::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        relayout();
        updateGeometry();
    }
}

void ChartLegend::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics fm(font());
    for (int i = 0; i < m_placed.size(); ++i) {
        const auto& e = m_entries[i];
        const QRect r = m_placed[i].rect;
        const int cy = r.center().y();
        switch (e.shape) {
        case Shape::Box:
            p.fillRect(QRect(r.left() + 1, cy - 5, SWATCH - 2, 10), e.color);
            break;
        case Shape::Line:
        case Shape::DashLine: {
            QPen pen(e.color, 3, e.shape == Shape::DashLine ? Qt::DashLine : Qt::SolidLine);
            p.setPen(pen);
            p.drawLine(r.left(), cy, r.left() + SWATCH, cy);
            break;
        }
        case Shape::Whisker: {
            p.setPen(QPen(e.color, 2));
            const int x = r.left() + SWATCH / 2;
            p.drawLine(x, cy - 6, x, cy + 6);
            p.drawLine(x - 3, cy - 6, x + 3, cy - 6);
            p.drawLine(x - 3, cy + 6, x + 3, cy + 6);
            break;
        }
        }
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(r.left() + SWATCH + GAP, r.top(), r.width() - SWATCH - GAP, r.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, m_placed[i].shown);
    }
}

}  // namespace ilab::ui::charts
