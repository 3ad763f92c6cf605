#include "core/controller/workspace_reloader.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include "core/common/display_text.h"

namespace ilab::controller {

namespace {

bool isLoadFailure(const Diagnostic& d) {
    if (d.severity != Severity::Error) return false;
    return d.code == DiagCode::Syntax || d.code == DiagCode::TypeInvalid || d.rule == "yaml-syntax" ||
           d.rule == "yaml-duplicate-key" || d.rule == "yaml-alias-bomb" || d.rule == "not-an-object" ||
           d.rule == "unreadable";
}

std::string where(const Diagnostic& d) {
    std::string out;
    if (d.pos && !d.pos->file.empty()) {
        out = displayText(d.pos->file);
        if (d.pos->line > 0) out += ":" + std::to_string(d.pos->line) + ":" + std::to_string(d.pos->column);
        out += ": ";
    }
    return out;
}

std::string identity(const model::Resource& r) { return r.kind + " " + r.meta.ns + "/" + r.meta.name; }

bool isWorkspaceFile(const QString& name) {
    return name.endsWith(QLatin1String(".yaml")) || name.endsWith(QLatin1String(".yml")) ||
           name.endsWith(QLatin1String(".json"));
}

}  // namespace

ReloadVerdict judgeReload(const model::Workspace& serving, const model::Workspace& next) {
    for (const Diagnostic& d : next.loadDiagnostics) {
        if (!isLoadFailure(d)) continue;
        return {ReloadVerdict::Action::Hold, where(d) + displayText(d.message(), 400)};
    }
    std::set<std::string> now;
    for (const auto& r : next.resources) now.insert(identity(r));
    std::vector<std::string> lost;
    for (const auto& r : serving.resources)
        if (!now.count(identity(r))) lost.push_back(identity(r));
    if (!lost.empty()) {
        std::string list;
        for (std::size_t i = 0; i < lost.size() && i < 3; ++i) list += (i ? ", " : "") + displayText(lost[i], 80);
        if (lost.size() > 3) list += ", ...";
        return {ReloadVerdict::Action::Settle,
                std::to_string(lost.size()) + (lost.size() == 1 ? " object" : " objects") + " would be removed (" +
                    list + ")"};
    }
    return {};
}

WorkspaceReloader::WorkspaceReloader(QStringList paths, Loader load, model::Workspace serving, QObject* parent)
    : QObject(parent), m_paths(std::move(paths)), m_load(std::move(load)), m_serving(std::move(serving)) {
    m_quiet.setSingleShot(true);
    m_settle.setSingleShot(true);
    connect(&m_quiet, &QTimer::timeout, this, &WorkspaceReloader::onQuiet);
    connect(&m_settle, &QTimer::timeout, this, &WorkspaceReloader::onSettleCheck);
    m_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m_fd >= 0) {
        addWatches();
        m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
        connect(m_notifier.get(), &QSocketNotifier::activated, this, &WorkspaceReloader::onInotify);
    }
    m_appliedContent = readAll();
}

WorkspaceReloader::~WorkspaceReloader() {
    m_notifier.reset();
    if (m_fd >= 0) ::close(m_fd);
}

void WorkspaceReloader::setTimingsForTest(int quietMs, int settleMs, int lossSettleMs) {
    m_quietMs = quietMs;
    m_settleMs = settleMs;
    m_lossSettleMs = lossSettleMs;
}

void WorkspaceReloader::addWatches() {
    constexpr uint32_t MASK = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |
                              IN_DELETE_SELF | IN_ATTRIB;
    auto watchDir = [&](const QString& dir) {
        const int wd = ::inotify_add_watch(m_fd, QFile::encodeName(dir).constData(), MASK);
        if (wd >= 0) m_watchDirs[wd] = dir;
    };
    for (const QString& p : m_paths) {
        const QFileInfo fi(p);
        if (fi.isDir()) {
            watchDir(fi.absoluteFilePath());
            QDirIterator it(fi.absoluteFilePath(), QDir::Dirs | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
            while (it.hasNext()) watchDir(it.next());
        } else {
            m_watchedNames.insert(fi.absoluteFilePath());
            watchDir(fi.absolutePath());
        }
    }
}

void WorkspaceReloader::onInotify() {
    alignas(struct inotify_event) char buf[16384];
    bool relevant = false;
    for (;;) {
        const ssize_t n = ::read(m_fd, buf, sizeof buf);
        if (n <= 0) break;
        for (char* p = buf; p < buf + n;) {
            const auto* ev = reinterpret_cast<const struct inotify_event*>(p);
            p += sizeof(struct inotify_event) + ev->len;
            auto dir = m_watchDirs.find(ev->wd);
            if (dir == m_watchDirs.end()) continue;
            const QString name = ev->len ? QFile::decodeName(ev->name) : QString();
            const QString full = dir->second + QLatin1Char('/') + name;
            const bool ours = m_watchedNames.empty() ? isWorkspaceFile(name) || (ev->mask & IN_ISDIR)
                                                     : m_watchedNames.count(full) > 0;
            if (!ours && !(ev->mask & IN_DELETE_SELF)) continue;
            relevant = true;
            if (ev->mask & IN_MODIFY) {
                if (m_openWriters.empty()) m_firstOpenWriterMs = QDateTime::currentMSecsSinceEpoch();
                m_openWriters.insert(full);
            }
            if (ev->mask & (IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM)) m_openWriters.erase(full);
        }
    }
    if (relevant) {
        m_settle.stop();
        m_quiet.start(m_quietMs);
    }
}

QByteArray WorkspaceReloader::readAll() const {
    QByteArray all;
    for (const QString& path : m_paths) {
        const QFileInfo fi(path);
        if (fi.isDir()) {
            QStringList files;
            QDirIterator it(path, {"*.yaml", "*.yml", "*.json"}, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) files << it.next();
            files.sort();
            for (const QString& f : files) {
                QFile file(f);
                all += f.toUtf8() + '\0';
                if (file.open(QIODevice::ReadOnly)) all += file.readAll();
                all += '\0';
            }
        } else {
            QFile file(path);
            all += path.toUtf8() + '\0';
            if (file.open(QIODevice::ReadOnly)) all += file.readAll();
            else all += "\x01missing";
            all += '\0';
        }
    }
    return all;
}

void WorkspaceReloader::onQuiet() {
    if (!m_openWriters.empty() &&
        QDateTime::currentMSecsSinceEpoch() - m_firstOpenWriterMs < OPEN_WRITER_MAX_MS) {
        m_quiet.start(m_quietMs);  // a writer still has the file open: it is not whole yet
        return;
    }
    m_openWriters.clear();
    m_candidate = readAll();
    m_settle.start(m_settleMs);
}

void WorkspaceReloader::onSettleCheck() {
    const QByteArray content = readAll();
    if (content != m_candidate) {  // still changing (a writer we were not told about): look again later
        m_candidate = content;
        m_settle.start(m_settleMs);
        return;
    }
    if (content == m_appliedContent) {  // back to what is served (a save of the same bytes, an undo)
        m_lossSince = 0;
        m_heldContent.clear();
        return;
    }
    model::Workspace next;
    const bool readable = m_load(next);
    ReloadVerdict verdict = judgeReload(m_serving, next);
    if (!readable && verdict.action != ReloadVerdict::Action::Hold) {
        verdict = {ReloadVerdict::Action::Hold, "a workspace file cannot be read"};
        for (const Diagnostic& d : next.loadDiagnostics)
            if (d.rule == "unreadable") verdict.reason = displayText(d.detail, 400);
    }
    switch (verdict.action) {
    case ReloadVerdict::Action::Hold:
        m_lossSince = 0;
        if (content != m_heldContent) {
            m_heldContent = content;
            emit heldBack(QString::fromStdString(verdict.reason), false);
        }
        return;
    case ReloadVerdict::Action::Settle: {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (m_lossSince == 0 || content != m_heldContent) {
            m_lossSince = now;
            m_heldContent = content;
            emit heldBack(QString::fromStdString(verdict.reason), true);
        }
        const qint64 waited = now - m_lossSince;
        if (waited < m_lossSettleMs) {
            m_candidate = content;
            m_settle.start(static_cast<int>(std::min<qint64>(m_lossSettleMs - waited, m_settleMs)));
            return;
        }
        break;  // the files have stayed like this: the user meant it
    }
    case ReloadVerdict::Action::Apply:
        break;
    }
    m_lossSince = 0;
    m_heldContent.clear();
    m_appliedContent = content;
    m_serving = next.clone();
    emit reloaded(std::make_shared<const model::Workspace>(std::move(next)));
}

}  // namespace ilab::controller
