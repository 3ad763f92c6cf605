#pragma once

#include <QMainWindow>

class QPlainTextEdit;
class QListWidget;

namespace ilab::ui {

// Placeholder main window: shows a workspace's YAML and its problems. Lives on the GUI thread.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    void openPath(const QString& path);

private:
    QPlainTextEdit* m_yaml = nullptr;
    QListWidget* m_problems = nullptr;
};

}  // namespace ilab::ui
