#include "ui/lab/thread_priority.h"

#include <QDir>
#include <QFile>
#include <QString>

#ifdef Q_OS_LINUX
#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace ilab::ui {

int deprioritizeWorkerThreads(int niceValue) {
#ifdef Q_OS_LINUX
    // On Linux, setpriority(PRIO_PROCESS, tid) applies to one thread (task), not the whole process.
    const auto self = static_cast<int>(::syscall(SYS_gettid));
    int changed = 0;
    const QStringList tasks = QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& entry : tasks) {
        bool ok = false;
        const int tid = entry.toInt(&ok);
        if (!ok || tid == self) continue;
        // Qt's own helper threads feed the GUI thread (X11 events, D-Bus): they keep the GUI's priority.
        QFile comm(QStringLiteral("/proc/self/task/%1/comm").arg(tid));
        if (comm.open(QIODevice::ReadOnly)) {
            const QByteArray name = comm.readAll().trimmed();
            if (name.startsWith("QXcb") || name.startsWith("QDBus") || name.startsWith("gmain") ||
                name.startsWith("gdbus") || name.startsWith("dconf"))
                continue;
        }
        errno = 0;
        const int current = ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
        if (errno != 0 || current >= niceValue) continue;
        if (::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), niceValue) == 0) ++changed;
    }
    return changed;
#else
    Q_UNUSED(niceValue);
    return 0;
#endif
}

}  // namespace ilab::ui
