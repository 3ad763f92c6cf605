#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QTableView;
class QTimer;
class QToolButton;

namespace ilab::ui {

class LiveLabel;
class LogTableModel;

// A log table with its tools: search (debounced), event type and object filters (when the feed has them),
// follow the tail, pause, copy the selected lines, export the visible lines to a file (written on a worker
// thread). GUI thread; does not own the model.
class LogView : public QWidget {
    Q_OBJECT
public:
    LogView(LogTableModel* model, bool withTypeAndObjectFilters, QWidget* parent = nullptr);

    QTableView* table() const { return m_table; }
    LogTableModel* model() const { return m_model; }
    void setFollow(bool follow);
    QString selectedLines() const;
    // Writes the visible rows to `path` on a worker thread; exportFinished reports the outcome.
    void exportTo(const QString& path);

Q_SIGNALS:
    void exportFinished(bool ok, const QString& message);
    void rowActivated(int row);  // double-click (the access log uses it to "pick" a request for the explainer)

private:
    void applyFilter();
    void updateCount();
    void copySelection();
    void chooseExportFile();

    LogTableModel* m_model = nullptr;
    QTableView* m_table = nullptr;
    QLineEdit* m_search = nullptr;
    QComboBox* m_type = nullptr;
    QLineEdit* m_object = nullptr;
    QCheckBox* m_follow = nullptr;
    QToolButton* m_pause = nullptr;
    LiveLabel* m_count = nullptr;
    QTimer* m_debounce = nullptr;
    QTimer* m_countTimer = nullptr;
};

}  // namespace ilab::ui
