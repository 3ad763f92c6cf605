#pragma once

#include <QWidget>

class QAction;
class QTextBrowser;

namespace ilab::ui {

// The offline help window: a QTextBrowser showing help::pageHtml(topic); "help:<topic>" links navigate.
// GUI thread; owned by the MainWindow (one, reused).
class HelpWindow : public QWidget {
    Q_OBJECT
public:
    explicit HelpWindow(QWidget* parent = nullptr);
    void showTopic(const QString& topic);
    QString topic() const { return m_topic; }
    QTextBrowser* browser() const { return m_browser; }
    // The actions the "shortcuts" page lists (the main window's menus).
    void setShortcutActions(const QList<QAction*>& actions) { m_actions = actions; }

private:
    QList<QAction*> m_actions;
    QTextBrowser* m_browser;
    QString m_topic;
};

}  // namespace ilab::ui
