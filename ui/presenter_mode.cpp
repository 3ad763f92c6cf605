#include "ui/presenter_mode.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>
#include <QWidget>

#include "ui/charts/chart_thickness.h"
#include "ui/editors/yaml_editor.h"

namespace ilab::ui {

namespace {
constexpr const char* BASE_FONT = "ilabPresenterBaseFont";
constexpr int CHART_REAPPLY_MS = 500;  // series appear as traffic names new backends
}  // namespace

PresenterMode::PresenterMode(QWidget* window, YamlEditor* editor, QObject* parent) : QObject(parent), m_window(window), m_editor(editor) {
    m_chartTimer.setInterval(CHART_REAPPLY_MS);
    connect(&m_chartTimer, &QTimer::timeout, this, [this] { charts::scaleChartLines(m_window, LINE_SCALE); });
}

QPalette PresenterMode::highContrastPalette() {
    QPalette p;
    const QColor black(0, 0, 0), white(255, 255, 255), blue(0, 51, 204);
    for (auto group : {QPalette::Active, QPalette::Inactive}) {
        p.setColor(group, QPalette::Window, white);
        p.setColor(group, QPalette::WindowText, black);
        p.setColor(group, QPalette::Base, white);
        p.setColor(group, QPalette::AlternateBase, QColor(235, 235, 235));
        p.setColor(group, QPalette::Text, black);
        p.setColor(group, QPalette::Button, QColor(230, 230, 230));
        p.setColor(group, QPalette::ButtonText, black);
        p.setColor(group, QPalette::BrightText, white);
        p.setColor(group, QPalette::Highlight, blue);
        p.setColor(group, QPalette::HighlightedText, white);
        p.setColor(group, QPalette::Link, blue);
        p.setColor(group, QPalette::ToolTipBase, QColor(255, 255, 204));
        p.setColor(group, QPalette::ToolTipText, black);
        p.setColor(group, QPalette::PlaceholderText, QColor(64, 64, 64));
        p.setColor(group, QPalette::Light, white);
        p.setColor(group, QPalette::Midlight, QColor(200, 200, 200));
        p.setColor(group, QPalette::Mid, QColor(96, 96, 96));
        p.setColor(group, QPalette::Dark, QColor(48, 48, 48));
        p.setColor(group, QPalette::Shadow, black);
    }
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(80, 80, 80));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(80, 80, 80));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(80, 80, 80));
    return p;
}

void PresenterMode::scaleOwnFonts(bool on) {
    if (!m_window) return;
    QList<QWidget*> widgets = m_window->findChildren<QWidget*>();
    widgets << m_window;
    for (QWidget* w : widgets) {
        if (w == m_editor) continue;  // zoomed instead (QScintilla keeps its fonts in the lexer)
        if (on) {
            if (!w->testAttribute(Qt::WA_SetFont) || w->property(BASE_FONT).isValid()) continue;
            const QFont base = w->font();
            w->setProperty(BASE_FONT, base);
            QFont big = base;
            if (base.pointSizeF() > 0) big.setPointSizeF(base.pointSizeF() * FONT_SCALE);
            else if (base.pixelSize() > 0) big.setPixelSize(qRound(base.pixelSize() * FONT_SCALE));
            w->setFont(big);
        } else if (w->property(BASE_FONT).isValid()) {
            w->setFont(w->property(BASE_FONT).value<QFont>());
            w->setProperty(BASE_FONT, QVariant());
        }
    }
}

void PresenterMode::setOn(bool on) {
    if (on == m_on) return;
    m_on = on;
    if (on) {
        m_baseFont = QApplication::font();
        scaleOwnFonts(true);  // before the application font changes: only fonts widgets set themselves
        QFont big = m_baseFont;
        if (big.pointSizeF() > 0) big.setPointSizeF(m_baseFont.pointSizeF() * FONT_SCALE);
        else big.setPixelSize(qRound(m_baseFont.pixelSize() * FONT_SCALE));
        QApplication::setFont(big);
        m_baseStyle = QApplication::style()->name();
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(highContrastPalette());
        if (m_editor) {
            m_editor->applyTheme(false);  // black on white like the rest; the owner re-applies its theme when off
            m_editor->zoomIn(EDITOR_ZOOM);
        }
        charts::scaleChartLines(m_window, LINE_SCALE);
        m_chartTimer.start();
    } else {
        m_chartTimer.stop();
        QApplication::setFont(m_baseFont);
        scaleOwnFonts(false);
        if (m_editor) m_editor->zoomOut(EDITOR_ZOOM);
        charts::scaleChartLines(m_window, 1.0);
        if (!m_baseStyle.isEmpty()) QApplication::setStyle(QStyleFactory::create(m_baseStyle));
    }
    Q_EMIT toggled(on);
}

}  // namespace ilab::ui
