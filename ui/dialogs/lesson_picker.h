#pragma once

#include <QDialog>
#include <QString>
#include <QVector>

class QListWidget;
class QLabel;

namespace ilab::ui {

struct LessonInfo {
    QString id, title, summary;
};

// Lessons compiled into the app (":/lessons/index.json" + ":/lessons/<id>/{workspace.yaml,guide.md}").
QVector<LessonInfo> availableLessons();
QString lessonWorkspace(const QString& id);
QString lessonGuide(const QString& id);

// File → New from lesson: title + summary per lesson. GUI thread; modal.
class LessonPicker : public QDialog {
    Q_OBJECT
public:
    explicit LessonPicker(QWidget* parent = nullptr);
    QString selectedId() const;

private:
    QListWidget* m_list;
    QLabel* m_summary;
};

}  // namespace ilab::ui
