#pragma once

#include <QString>
#include <QWidget>

namespace ilab::ui {

// A one- or few-line text that changes several times a second (row counts, traffic progress) without touching
// the layout. QLabel::setText() calls updateGeometry(), which invalidates every layout up to the window: in the
// lab that re-laid out the whole panel (four charts, the map, three tables) several times a second, up to ~40 ms
// each on a loaded machine (gui_stall_bench). LiveLabel has a fixed size hint (`lines` lines of `minChars`
// average characters), so setText() only repaints it; longer text is elided. GUI thread; owned by its parent.
class LiveLabel : public QWidget {
    Q_OBJECT
public:
    explicit LiveLabel(QWidget* parent = nullptr, int minChars = 20, int lines = 1);

    void setText(const QString& text);
    QString text() const { return m_text; }
    void setAlignment(Qt::Alignment alignment);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QString m_text;
    int m_minChars;
    int m_lines;
    Qt::Alignment m_alignment = Qt::AlignLeft | Qt::AlignVCenter;
};

}  // namespace ilab::ui
