#include "ui/views/lesson_check_panel.h"

#include <QCoreApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QThreadPool>
#include <QVBoxLayout>

#include "ui/document/workspace_document.h"
#include "ui/lab/controller_link.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/workspace_gate.h"
#include "ui/models/workspace_tree_model.h"

namespace ilab::ui {

namespace {

constexpr const char* PASS_COLOR = "#16a34a";
constexpr const char* FAIL_COLOR = "#dc2626";

QString esc(const std::string& s) { return QString::fromStdString(s).toHtmlEscaped(); }

}  // namespace

LessonCheckPanel::LessonCheckPanel(WorkspaceDocument* doc, LabPanel* lab, QWidget* parent) : QWidget(parent), m_doc(doc), m_lab(lab) {
    qRegisterMetaType<lessons::CheckReport>("ilab::lessons::CheckReport");
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(6, 4, 6, 6);
    auto* row = new QHBoxLayout;
    m_button = new QPushButton(themedIcon(QStringLiteral("ok")), tr("Check my work"), this);
    m_button->setObjectName(QStringLiteral("checkButton"));
    m_button->setToolTip(tr("Send the lesson's check requests to your workspace in the lab (it starts if needed) and say which "
                            "steps work and why the others do not."));
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("checkSummary"));
    m_summary->setWordWrap(true);
    m_reset = new QPushButton(themedIcon(QStringLiteral("undo")), tr("Reset workspace"), this);
    m_reset->setObjectName(QStringLiteral("resetLessonButton"));
    m_reset->setToolTip(tr("Put the lesson's workspace back as it was when the lesson opened (Edit ▸ Undo brings yours back)."));
    m_reset->hide();
    connect(m_reset, &QPushButton::clicked, this, &LessonCheckPanel::resetWorkspace);
    row->addWidget(m_button);
    row->addStretch(1);
    row->addWidget(m_reset);
    lay->addLayout(row);
    lay->addWidget(m_summary);  // its own line: the verdict stays readable in a narrow dock and in presenter mode
    m_result = new QTextBrowser(this);
    m_result->setObjectName(QStringLiteral("checkResult"));
    m_result->setOpenLinks(false);
    m_result->setMinimumHeight(120);
    m_result->hide();
    lay->addWidget(m_result, 1);
    connect(m_button, &QPushButton::clicked, this, &LessonCheckPanel::runChecks);
    setChecks({});
}

LessonCheckPanel::~LessonCheckPanel() { m_cancel->store(true); }

void LessonCheckPanel::setChecks(const lessons::LessonChecks& checks) {
    m_checks = checks;
    ++m_run;
    m_checking = false;
    m_result->clear();
    m_result->hide();
    const int n = m_checks.count();
    m_button->setEnabled(n > 0);
    m_summary->setStyleSheet(QString());
    m_summary->setText(n > 0 ? tr("%n check(s) for this lesson.", nullptr, n) : tr("This lesson has no checks."));
}

void LessonCheckPanel::setLesson(const lessons::LessonChecks& checks, const QString& startText) {
    setChecks(checks);
    m_startText = startText;
    m_reset->setVisible(!startText.isEmpty());
}

void LessonCheckPanel::resetWorkspace() {
    if (m_startText.isEmpty() || m_doc->text() == m_startText) return;
    m_doc->replaceText(m_startText, tr("Reset the lesson's workspace"));
    ++m_run;  // a check still running was about the old text
    m_checking = false;
    m_button->setEnabled(m_checks.count() > 0);
    m_result->clear();
    m_result->hide();
    m_summary->setStyleSheet(QString());
    m_summary->setText(tr("Workspace reset to the lesson's start. Edit ▸ Undo brings your version back."));
}

QString LessonCheckPanel::resultText() const { return m_summary->text() + QLatin1Char('\n') + m_result->toPlainText(); }

void LessonCheckPanel::runChecks() {
    if (m_checking || m_checks.count() == 0) return;
    const QString held = heldBackReason(m_doc->workspace(), m_doc->diagnostics());
    if (!held.isEmpty()) {
        finish({}, tr("Your workspace does not reach the lab: %1 Fix it (see the Problems panel), then check again.").arg(held));
        return;
    }
    m_checking = true;
    m_button->setEnabled(false);
    m_summary->setStyleSheet(QString());
    if (m_lab->isRunning()) {
        sendChecks();
    } else {
        startLabThenRun(false);
    }
}

void LessonCheckPanel::startLabThenRun(bool retriedOnFreePorts) {
    ControllerLink* link = m_lab->controller();
    m_summary->setText(tr("Starting the lab…"));
    auto* context = new QObject(this);  // both connections end with whichever signal comes first
    const int run = m_run;
    connect(link, &ControllerLink::started, context, [this, context, run] {
        context->deleteLater();
        if (run == m_run) sendChecks();
    });
    connect(link, &ControllerLink::startFailed, context, [this, context, run, retriedOnFreePorts](const QString& message) {
        context->deleteLater();
        if (run != m_run) return;
        if (!retriedOnFreePorts) {
            // the lab's ports are taken (another lab, another program): free ports are enough for the checks
            m_lab->setListenPorts(0, 0);
            startLabThenRun(true);
            return;
        }
        finish({}, tr("The lab did not start: %1").arg(message));
    });
    m_lab->start();
}

void LessonCheckPanel::sendChecks() {
    ControllerLink* link = m_lab->controller();
    m_summary->setText(tr("Checking %n request(s)…", nullptr, m_checks.count()));
    const model::Workspace ws = m_doc->workspace().clone();
    const int run = m_run;
    QPointer<LessonCheckPanel> self(this);
    link->applyNow(ws, [self, run, link, ws = std::make_shared<model::Workspace>(ws.clone())] {
        if (!self || run != self->m_run) return;
        lessons::LabAddress lab;
        lab.httpPort = link->httpPort();
        lab.httpsPort = link->httpsPort();
        auto cancel = self->m_cancel;
        const lessons::LessonChecks checks = self->m_checks;
        // hundreds of blocking requests: a pool thread, the report comes back queued
        QThreadPool::globalInstance()->start([self, run, lab, checks, ws, cancel] {
            lessons::CheckReport report = lessons::runChecks(checks, lab, *ws, cancel.get());
            if (cancel->load()) return;
            QMetaObject::invokeMethod(QCoreApplication::instance(), [self, run, report = std::move(report)] {
                if (self && run == self->m_run) self->finish(report, QString());
            }, Qt::QueuedConnection);
        });
    });
}

void LessonCheckPanel::finish(const lessons::CheckReport& report, const QString& message) {
    m_checking = false;
    m_button->setEnabled(m_checks.count() > 0);
    if (message.isEmpty()) showReport(report);
    else showMessage(message);
    Q_EMIT checksFinished(report, message);
}

void LessonCheckPanel::showMessage(const QString& message) {
    m_summary->setText(QStringLiteral("✗ ") + message);
    m_summary->setStyleSheet(QStringLiteral("color: %1;").arg(QLatin1String(FAIL_COLOR)));
    m_result->clear();
    m_result->hide();
}

void LessonCheckPanel::showReport(const lessons::CheckReport& report) {
    const int total = report.passed + report.failed;
    if (report.allPassed()) {
        m_summary->setText(tr("✓ All %n check(s) pass. Well done!", nullptr, total));
        m_summary->setStyleSheet(QStringLiteral("color: %1; font-weight: bold;").arg(QLatin1String(PASS_COLOR)));
    } else {
        m_summary->setText(tr("%1 of %n check(s) pass; %2 to fix.", nullptr, total).arg(report.passed).arg(report.failed));
        m_summary->setStyleSheet(QStringLiteral("color: %1; font-weight: bold;").arg(QLatin1String(FAIL_COLOR)));
    }
    QString html;
    int lastStep = -1;
    for (const auto& o : report.outcomes) {
        if (o.step != lastStep) {
            lastStep = o.step;
            html += QStringLiteral("<p style='margin-top:8px; margin-bottom:2px'><b>%1</b></p>")
                        .arg(tr("Step %1").arg(o.step) + (o.stepTitle.empty() ? QString() : QStringLiteral(" · ") + esc(o.stepTitle)));
        }
        html += QStringLiteral("<p style='margin:2px 0 0 8px'><span style='color:%1; font-weight:bold'>%2</span> %3<br>"
                               "<span style='opacity:0.8'>%4 %5</span>")
                    .arg(QLatin1String(o.passed ? PASS_COLOR : FAIL_COLOR), o.passed ? QStringLiteral("✓") : QStringLiteral("✗"), esc(o.name),
                         tr("got:"), esc(o.got));
        for (const auto& p : o.problems) html += QStringLiteral("<br><span style='color:%1'>%2</span>").arg(QLatin1String(FAIL_COLOR), esc(p));
        if (!o.why.empty()) {
            html += QStringLiteral("<br><i>%1</i> %2").arg(tr("Why:"), esc(o.why.front()));
            html += QStringLiteral("<br><span style='font-family:monospace; font-size:small'>");
            for (std::size_t i = 1; i < o.why.size(); ++i) html += esc(o.why[i]) + QStringLiteral("<br>");
            html += QStringLiteral("</span>");
        }
        html += QStringLiteral("</p>");
    }
    if (report.cancelled) html += QStringLiteral("<p>%1</p>").arg(tr("Stopped."));
    m_result->setHtml(html);
    m_result->show();
    // The report needs room: in the guide dock's splitter, take at least half of it (the guide scrolls).
    if (auto* split = qobject_cast<QSplitter*>(parentWidget())) {
        const int total = split->height();
        if (height() < total / 2 && split->count() == 2 && split->widget(1) == this) split->setSizes({total - total * 11 / 20, total * 11 / 20});
    }
}

}  // namespace ilab::ui
