// ingress-lab-cli lesson check DIR|NAME [--workspace FILE]: "Check my work" without the GUI (issue 15 item 6).
// Starts the real local controller on free ports with the lesson's workspace (or FILE, the student's), runs the
// lesson's checks.yaml against it with real requests, prints PASS/FAIL per check with the explainer's words for
// each failure. ingress-lab-cli lesson list: the built-in lessons.
// Exit codes: 0 every check passed, 1 a check failed, 2 bad usage, unreadable lesson or the controller did not start.

#include <cstdio>
#include <string>

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFile>
#include <QThread>
#include <QTimer>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "core/controller/local_controller.h"
#include "core/lessons/check_runner.h"
#include "core/lessons/generated_secrets.h"
#include "core/lessons/lesson_pack.h"
#include "core/yaml/yaml_reader.h"

namespace ilab::cli {

namespace {

const char* LESSON_USAGE =
    "usage: ingress-lab-cli lesson check DIR|NAME [--workspace FILE]\n"
    "       ingress-lab-cli lesson list\n"
    "check: starts the local controller on free ports with the lesson's workspace (or FILE), sends the requests\n"
    "       of the lesson's checks.yaml and says which checks pass and, for each failure, why.\n"
    "       DIR is a lesson folder (guide.md, workspace.yaml, checks.yaml); NAME a built-in lesson (see list).\n"
    "Exit codes: 0 all checks pass, 1 a check fails, 2 bad usage, an unreadable lesson or no controller.\n";

int usageError(const std::string& msg) {
    std::fprintf(stderr, "ingress-lab-cli lesson: %s\n\n%s", msg.c_str(), LESSON_USAGE);
    return 2;
}

int runList() {
    QFile index(QStringLiteral(":/lessons/index.json"));
    if (!index.open(QIODevice::ReadOnly)) return 2;
    for (const QJsonValue& v : QJsonDocument::fromJson(index.readAll()).array()) {
        const QJsonObject o = v.toObject();
        auto l = lessons::loadBuiltinLesson(o.value(QStringLiteral("id")).toString().toStdString());
        if (!l) continue;
        std::printf("%-18s %-45s %d check(s)\n", l->id.c_str(), l->title.c_str(), l->checks.count());
    }
    return 0;
}

// The controller on its own control thread, started on free ports; stopped and deleted on that thread.
class ControllerRun {
public:
    ControllerRun() {
        m_thread.setObjectName(QStringLiteral("ilab-control"));
        m_ctl = new controller::LocalController;
        m_ctl->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, m_ctl, &QObject::deleteLater);
        m_thread.start();
    }
    ~ControllerRun() {
        QEventLoop loop;
        QObject::connect(m_ctl, &controller::LocalController::stopped, &loop, &QEventLoop::quit, Qt::QueuedConnection);
        QTimer::singleShot(10000, &loop, &QEventLoop::quit);
        auto* ctl = m_ctl;
        QMetaObject::invokeMethod(ctl, [ctl] { ctl->stop(); }, Qt::QueuedConnection);
        loop.exec();
        m_thread.quit();
        m_thread.wait();
    }
    // Returns "" and fills `info`, or the error.
    std::string start(model::Workspace ws, controller::ReadyInfo* info) {
        QEventLoop loop;
        std::string error;
        QObject::connect(m_ctl, &controller::LocalController::started, &loop, [&](const controller::ReadyInfo& i) {
            *info = i;
            loop.quit();
        }, Qt::QueuedConnection);
        QObject::connect(m_ctl, &controller::LocalController::startFailed, &loop, [&](const QString& m) {
            error = m.toStdString();
            loop.quit();
        }, Qt::QueuedConnection);
        controller::StartOptions o;
        o.proxy.httpPort = 0;
        o.proxy.httpsPort = 0;
        o.adminPort = -1;
        auto* ctl = m_ctl;
        auto copy = std::make_shared<model::Workspace>(std::move(ws));
        QMetaObject::invokeMethod(ctl, [ctl, copy, o] {
            ctl->setWorkspace(std::move(*copy));
            ctl->start(o);
        }, Qt::QueuedConnection);
        loop.exec();
        return error;
    }

private:
    QThread m_thread;
    controller::LocalController* m_ctl = nullptr;
};

}  // namespace

int runLesson(const QStringList& args) {
    if (args.isEmpty()) return usageError("needs a subcommand: check or list");
    if (args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")) {
        std::fputs(LESSON_USAGE, stdout);
        return 0;
    }
    if (args.first() == QLatin1String("list")) return runList();
    if (args.first() != QLatin1String("check")) return usageError("unknown subcommand '" + args.first().toStdString() + "'");
    QString lessonArg, workspaceFile;
    for (int i = 1; i < args.size(); ++i) {
        const QString a = args[i];
        if (a == QLatin1String("--workspace") || a == QLatin1String("-w")) {
            if (i + 1 >= args.size()) return usageError("--workspace needs a file");
            workspaceFile = args[++i];
        } else if (a.startsWith(QLatin1String("--workspace="))) {
            workspaceFile = a.mid(12);
        } else if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            std::fputs(LESSON_USAGE, stdout);
            return 0;
        } else if (a.startsWith(QLatin1Char('-'))) {
            return usageError("unknown option " + a.toStdString());
        } else if (lessonArg.isEmpty()) {
            lessonArg = a;
        } else {
            return usageError("one lesson at a time");
        }
    }
    if (lessonArg.isEmpty()) return usageError("which lesson? a folder or a built-in name");
    const bool isFolder = QFileInfo(lessonArg).isDir() || lessonArg.contains(QLatin1Char('/'));
    auto lesson = isFolder ? lessons::loadLessonFolder(lessonArg.toStdString()) : lessons::loadBuiltinLesson(lessonArg.toStdString());
    if (!lesson) {
        std::fprintf(stderr, "ingress-lab-cli lesson: %s\n", lesson.message().c_str());
        return 2;
    }
    if (lesson->checks.count() == 0) {
        std::fprintf(stderr, "ingress-lab-cli lesson: %s has no checks (checks.yaml)\n", lesson->title.c_str());
        return 2;
    }
    model::Workspace ws;
    if (!workspaceFile.isEmpty()) {
        if (!loadWorkspace({workspaceFile}, ws, "lesson")) return 2;
    } else {
        yaml::readText(lessons::fillGeneratedSecretsInText(lesson->workspace), "workspace.yaml", ws);
    }
    ControllerRun run;
    controller::ReadyInfo info;
    const std::string error = run.start(ws.clone(), &info);
    if (!error.empty()) {
        std::fprintf(stderr, "ingress-lab-cli lesson: the controller did not start: %s\n", error.c_str());
        return 2;
    }
    std::printf("%s: %d check(s) against http=127.0.0.1:%d https=127.0.0.1:%d\n", lesson->title.c_str(), lesson->checks.count(),
                info.httpPort, info.httpsPort);
    lessons::LabAddress lab;
    lab.httpPort = info.httpPort;
    lab.httpsPort = info.httpsPort;
    const lessons::CheckReport report = lessons::runChecks(lesson->checks, lab, ws);
    printText(stdout, lessons::formatReport(report));
    std::fflush(stdout);
    return report.allPassed() ? 0 : 1;
}

}  // namespace ilab::cli
