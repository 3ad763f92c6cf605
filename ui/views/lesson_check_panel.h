#pragma once

#include <atomic>
#include <memory>

#include <QWidget>

#include "core/lessons/check_runner.h"
#include "core/lessons/lesson_checks.h"

class QLabel;
class QPushButton;
class QTextBrowser;

namespace ilab::ui {

class LabPanel;
class WorkspaceDocument;

// "Check my work" under the lesson guide (issue 15 item 6): a Check button that runs the lesson's checks.yaml
// against the student's workspace in the lab and lists, per step, which checks pass and, for each failure,
// what came back, what was expected and the explainer's reason (decision + route trace).
// The run: an edit held back from the lab (half-typed YAML) is reported instead; the lab is started if it is not
// running (on free ports when its own are taken); the edited workspace is synced into the controller at once
// (ControllerLink::applyNow); then the requests go out from a pool thread (core/lessons/check_runner.h) and the
// report comes back queued. GUI thread; owned by the guide dock; the document and the lab outlive it.
class LessonCheckPanel : public QWidget {
    Q_OBJECT
public:
    LessonCheckPanel(WorkspaceDocument* doc, LabPanel* lab, QWidget* parent = nullptr);
    ~LessonCheckPanel() override;

    void setChecks(const lessons::LessonChecks& checks);
    // The lesson's checks and the workspace text it started from ("Reset workspace" puts it back as one undoable
    // edit; empty: no reset).
    void setLesson(const lessons::LessonChecks& checks, const QString& startText);
    // Edit > Undo brings the student's version back.
    void resetWorkspace();
    const lessons::LessonChecks& checks() const { return m_checks; }
    bool isChecking() const { return m_checking; }
    // The shown result as plain text (tests, screenshots' captions).
    QString resultText() const;
    QPushButton* checkButton() const { return m_button; }
    QPushButton* resetButton() const { return m_reset; }

public Q_SLOTS:
    void runChecks();

Q_SIGNALS:
    // After every run (also when it could not run: then the report is empty and `message` says why).
    void checksFinished(const ilab::lessons::CheckReport& report, const QString& message);

private:
    void startLabThenRun(bool retriedOnFreePorts);
    void sendChecks();
    void showReport(const lessons::CheckReport& report);
    void showMessage(const QString& message);
    void finish(const lessons::CheckReport& report, const QString& message);

    WorkspaceDocument* m_doc;
    LabPanel* m_lab;
    lessons::LessonChecks m_checks;
    QPushButton* m_button;
    QPushButton* m_reset;
    QString m_startText;
    QLabel* m_summary;
    QTextBrowser* m_result;
    bool m_checking = false;
    int m_run = 0;  // results of an older run (checks replaced meanwhile) are dropped
    std::shared_ptr<std::atomic<bool>> m_cancel = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace ilab::ui
