#pragma once

#include <QFont>
#include <QObject>
#include <QPalette>
#include <QPointer>
#include <QTimer>

class QWidget;

namespace ilab::ui {

class YamlEditor;

// Presenter mode (issue 15 item 7): one switch for a room with a projector. On: the application font 1.5× (and
// every widget that set its own font, such as the kubectl view), the YAML editor zoomed in, chart lines 2.5× as
// thick (charts made later too: re-applied every half second while on), and a high-contrast palette (black on
// white, saturated selection; a projector washes out grey and dark themes). Off: fonts, zoom and lines exactly
// as before; the palette is the window's theme again (the owner re-applies it on toggled(false)).
// GUI thread; owned by the main window.
class PresenterMode : public QObject {
    Q_OBJECT
public:
    static constexpr double FONT_SCALE = 1.5;
    static constexpr double LINE_SCALE = 2.5;
    static constexpr int EDITOR_ZOOM = 5;  // QScintilla zoom steps (points added to the editor's font)

    PresenterMode(QWidget* window, YamlEditor* editor, QObject* parent = nullptr);
    bool isOn() const { return m_on; }
    void setOn(bool on);
    static QPalette highContrastPalette();

Q_SIGNALS:
    void toggled(bool on);

private:
    void scaleOwnFonts(bool on);

    QPointer<QWidget> m_window;
    QPointer<YamlEditor> m_editor;
    QFont m_baseFont;
    QString m_baseStyle;  // the style before (the system theme uses the platform's)
    QTimer m_chartTimer;
    bool m_on = false;
};

}  // namespace ilab::ui
