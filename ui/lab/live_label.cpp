#include "ui/lab/live_label.h"

#include <QPainter>
#include <QTextLayout>

namespace ilab::ui {

LiveLabel::LiveLabel(QWidget* parent, int minChars, int lines)
    : QWidget(parent), m_minChars(std::max(1, minChars)), m_lines(std::max(1, lines)) {
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    setToolTipDuration(-1);
}

void LiveLabel::setText(const QString& text) {
    if (text == m_text) return;
    m_text = text;
    setToolTip(text);
    update();  // never updateGeometry(): the size does not depend on the text
}

void LiveLabel::setAlignment(Qt::Alignment alignment) {
    m_alignment = alignment;
    update();
}

QSize LiveLabel::sizeHint() const {
    const QFontMetrics fm(font());
    return {fm.averageCharWidth() * m_minChars + 4, fm.lineSpacing() * m_lines + 4};
}

QSize LiveLabel::minimumSizeHint() const { return sizeHint(); }

void LiveLabel::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setPen(palette().color(QPalette::WindowText));
    const QRect r = rect().adjusted(2, 2, -2, -2);
    const QFontMetrics fm(font());
    // Lay the text out in at most m_lines lines (explicit newlines first, then word wrap), eliding the last one.
    QStringList out;
    const QStringList paragraphs = m_text.split(QLatin1Char('\n'));
    for (int i = 0; i < paragraphs.size() && out.size() < m_lines; ++i) {
        QTextLayout layout(paragraphs[i], font());
        layout.beginLayout();
        while (out.size() < m_lines) {
            QTextLine line = layout.createLine();
            if (!line.isValid()) break;
            line.setLineWidth(r.width());
            out << paragraphs[i].mid(line.textStart(), line.textLength());
        }
        layout.endLayout();
    }
    if (!out.isEmpty()) out.last() = fm.elidedText(out.last(), Qt::ElideRight, r.width());
    const int height = fm.lineSpacing() * int(out.size());
    int y = r.top();
    if (m_alignment & Qt::AlignVCenter) y = r.top() + (r.height() - height) / 2;
    for (const QString& line : out) {
        p.drawText(QRect(r.left(), y, r.width(), fm.lineSpacing()), int(m_alignment & Qt::AlignHorizontal_Mask) | Qt::AlignVCenter, line);
        y += fm.lineSpacing();
    }
}

}  // namespace ilab::ui
