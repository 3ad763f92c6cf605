#pragma once

#include <QColor>
#include <QRect>
#include <QString>
#include <QVector>
#include <QWidget>

namespace ilab::ui::charts {

// The legend under a lab chart, in place of Qt Charts' own: Qt's legend keeps to one row and cuts every entry to
// the same width, which turned five backends into "default-a…" five times (issue 15 item 5). Here entries flow
// onto as many rows as they need, each at its full width; an entry is elided (in the middle) only when it alone
// is wider than the whole legend, and every entry's tooltip gives the full name. GUI thread; owned by its chart.
class ChartLegend : public QWidget {
    Q_OBJECT
    // For tests and accessibility tools: what is shown and what each entry's tooltip says.
    Q_PROPERTY(QStringList displayedTexts READ displayedTexts)
    Q_PROPERTY(QStringList toolTips READ toolTips)
public:
    enum class Shape { Box, Line, DashLine, Whisker };
    struct Entry {
        QString text;     // what is shown ("agent-stable:80")
        QString toolTip;  // the full name ("default-agent-stable-80"); "" = the text
        QColor color;
        Shape shape = Shape::Box;
        bool operator==(const Entry&) const = default;
    };

    explicit ChartLegend(QWidget* parent = nullptr);

    void setEntries(const QVector<Entry>& entries);
    const QVector<Entry>& entries() const { return m_entries; }

    // What each entry shows at the current width (elided only when it cannot fit on a row of its own).
    QStringList displayedTexts() const;
    QString toolTipAt(const QPoint& pos) const;
    QStringList toolTips() const;

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Placed {
        QRect rect;     // swatch + text
        QString shown;  // possibly elided text
    };
    QVector<Placed> layoutFor(int width) const;
    void relayout();

    QVector<Entry> m_entries;
    QVector<Placed> m_placed;
};

}  // namespace ilab::ui::charts
