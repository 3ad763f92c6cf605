#pragma once

#include <QDialog>
#include <QList>

class QAction;
class QLineEdit;
class QListWidget;

namespace ilab::ui {

// Ctrl+Shift+P: type to fuzzy-filter every action of the window (menu path + shortcut shown), Enter runs it.
// GUI thread; created on demand by the MainWindow.
class CommandPalette : public QDialog {
    Q_OBJECT
public:
    CommandPalette(const QList<QAction*>& actions, QWidget* parent = nullptr);
    void setFilter(const QString& text);
    QStringList visibleTitles() const;  // tests
    // Subsequence match score (higher is better), -1 when `pattern` is not a subsequence of `text`.
    static int fuzzyScore(const QString& pattern, const QString& text);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void runCurrent();
    QList<QAction*> m_actions;
    QLineEdit* m_filter;
    QListWidget* m_list;
};

}  // namespace ilab::ui
