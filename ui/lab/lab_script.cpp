#include "ui/lab/lab_script.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QMainWindow>
#include <QTimer>

#include "ui/charts/live_charts.h"
#include "ui/lab/explainer_panel.h"
#include "ui/lab/lab_panel.h"
#include "ui/lab/log_table_model.h"
#include "ui/lab/traffic_panel.h"

namespace ilab::ui {

LabScript::LabScript(LabPanel* panel, const QString& script) : QObject(panel), m_panel(panel) {
    for (const auto& s : script.split(QLatin1Char(';'), Qt::SkipEmptyParts)) m_steps << s.trimmed();
}

void LabScript::begin() { QTimer::singleShot(500, this, &LabScript::next); }

void LabScript::next() {
    if (m_steps.isEmpty()) return;
    const QString step = m_steps.takeFirst();
    const QStringList words = step.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const QString cmd = words.value(0);
    auto later = [this](int ms) { QTimer::singleShot(ms, this, &LabScript::next); };
    qInfo("lab script: %s", qPrintable(step));
    if (cmd == QLatin1String("raise")) {
        for (QWidget* w = m_panel->parentWidget(); w; w = w->parentWidget()) {
            if (auto* dock = qobject_cast<QDockWidget*>(w)) {
                dock->show();
                dock->raise();
                if (auto* mw = qobject_cast<QMainWindow*>(dock->parentWidget()))
                    mw->resizeDocks({dock}, {int(mw->height() * 0.74)}, Qt::Vertical);
            }
        }
        later(300);
    } else if (cmd == QLatin1String("start")) {
        if (m_panel->isRunning()) return later(0);
        auto* conn = new QMetaObject::Connection;
        *conn = connect(m_panel, &LabPanel::runningChanged, this, [this, conn](bool) {
            disconnect(*conn);
            delete conn;
            QTimer::singleShot(500, this, &LabScript::next);
        });
        m_panel->start();
        QTimer::singleShot(3000, this, [this] {
            if (!m_panel->bannerText().isEmpty()) qWarning("lab script: %s", qPrintable(m_panel->bannerText()));
        });
    } else if (cmd == QLatin1String("ports")) {
        m_panel->setListenPorts(words.value(1).toInt(), words.value(2).toInt());
        later(0);
    } else if (cmd == QLatin1String("preset")) {
        m_panel->trafficPanel()->applyPreset(words.value(1).toInt());
        later(100);
    } else if (cmd == QLatin1String("load")) {
        m_panel->trafficPanel()->setLoad(words.value(1).toInt(), words.value(2).toInt(), words.value(3).toDouble(),
                                         std::max(1, words.value(4).toInt()));
        later(100);
    } else if (cmd == QLatin1String("traffic")) {
        auto* conn = new QMetaObject::Connection;
        *conn = connect(m_panel->trafficPanel(), &TrafficPanel::trafficFinished, this, [this, conn] {
            disconnect(*conn);
            delete conn;
            QTimer::singleShot(100, this, &LabScript::next);
        });
        m_panel->trafficPanel()->startTraffic();
    } else if (cmd == QLatin1String("tab")) {
        m_panel->showTab(words.mid(1).join(QLatin1Char(' ')));
        later(300);
    } else if (cmd == QLatin1String("explain")) {
        ExplainRequest r = m_panel->explainer()->request();
        r.url = words.value(1);
        m_panel->explainer()->setRequest(r);
        m_panel->showTab(QStringLiteral("Explain"));
        m_panel->explainer()->explain();
        later(1000);
    } else if (cmd == QLatin1String("sleep")) {
        later(words.value(1).toInt());
    } else if (cmd == QLatin1String("shot")) {
        const QString path = words.value(1);
        if (!m_panel->window()->grab().save(path)) qWarning("lab script: cannot save %s", qPrintable(path));
        later(100);
    } else if (cmd == QLatin1String("charts-window")) {
        m_panel->liveCharts()->setPoppedOut(words.value(1) != QLatin1String("off"));
        later(800);
    } else if (cmd == QLatin1String("resize-charts")) {
        if (QWidget* w = m_panel->liveCharts()->popOutWindow()) w->resize(words.value(1).toInt(), words.value(2).toInt());
        later(500);
    } else if (cmd == QLatin1String("shot-charts")) {
        const QString path = words.value(1);
        QWidget* w = m_panel->liveCharts()->popOutWindow();
        if (!w || !w->grab().save(path)) qWarning("lab script: cannot save %s (charts not popped out?)", qPrintable(path));
        later(100);
    } else if (cmd == QLatin1String("dump-access")) {
        // Every access-log row as the table shows it, tab-separated, one per line (checks by script).
        QFile f(words.value(1));
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            const QAbstractItemModel* m = m_panel->accessLogModel();
            for (int r = 0; r < m->rowCount(); ++r) {
                QStringList cells;
                for (int c = 0; c < m->columnCount(); ++c) cells << m->index(r, c).data().toString();
                f.write(cells.join(QLatin1Char('\t')).toUtf8() + '\n');
            }
        } else {
            qWarning("lab script: cannot write %s", qPrintable(words.value(1)));
        }
        later(100);
    } else if (cmd == QLatin1String("stop")) {
        m_panel->stop();
        later(1000);
    } else if (cmd == QLatin1String("quit")) {
        QApplication::quit();
    } else {
        qWarning("lab script: unknown step '%s'", qPrintable(step));
        later(0);
    }
}

}  // namespace ilab::ui
