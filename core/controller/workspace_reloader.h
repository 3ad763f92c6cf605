#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "core/model/workspace.h"

namespace ilab::controller {

// Decides whether a freshly loaded workspace may replace the one being served.
struct ReloadVerdict {
    enum class Action {
        Apply,   // load it
        Hold,    // keep serving the current one (the new one failed to load): `reason` says why, file:line
        Settle,  // it loses objects or empties a file: apply only once the files have stayed so for a while
    };
    Action action = Action::Apply;
    std::string reason;
};

// Load-level errors (syntax, excessive aliasing, nesting, duplicate keys, wrong YAML types, unreadable files)
// mean Hold: the API server would refuse such a file, so a controller never sees it. Fewer objects than the
// serving workspace, or a file that is now empty, mean Settle: a save in progress looks exactly like that.
ReloadVerdict judgeReload(const model::Workspace& serving, const model::Workspace& next);

// Reloads the workspace files that `serve` runs, only when they are whole (issue 11: a save that truncates and
// rewrites, a file written in two halves, or emptied for a moment must never be served).
//  - Changes are seen with inotify on the files' folders (editors that write a new file and rename it over the
//    old one are covered). While any watched file has been modified and not yet closed by its writer, nothing
//    is read; the files are read once they have been quiet for QUIET_MS and read the same twice, SETTLE_MS apart.
//  - The result goes through judgeReload: Hold keeps the last good workspace and says why (heldBack), once per
//    content; Settle waits LOSS_SETTLE_MS more of unchanged files before applying.
// Linux only (inotify), like the proxy's epoll loop.
// Thread: lives on the thread that creates it (serve's main thread); `load` runs there too.
class WorkspaceReloader : public QObject {
    Q_OBJECT
public:
    static constexpr int QUIET_MS = 150;         // no file event for this long: try to read
    static constexpr int SETTLE_MS = 350;        // the content must read the same twice this far apart
    static constexpr int LOSS_SETTLE_MS = 1500;  // a change that drops objects or empties a file waits this long
    static constexpr int OPEN_WRITER_MAX_MS = 5000;  // a writer that keeps a file open this long is not waited for

    using Loader = std::function<bool(model::Workspace&)>;  // false: a path was unreadable (diagnostics say which)

    // `paths`: files or folders (watched recursively one level: their own folder). `serving`: what is served now.
    WorkspaceReloader(QStringList paths, Loader load, model::Workspace serving, QObject* parent = nullptr);
    ~WorkspaceReloader() override;

    bool isWatching() const { return m_fd >= 0; }
    // Timings for tests that drive many saves (production uses the constants above).
    void setTimingsForTest(int quietMs, int settleMs, int lossSettleMs);

signals:
    // A whole, loadable workspace that differs from the served one: serve it.
    void reloaded(std::shared_ptr<const model::Workspace> workspace);
    // A change that is not applied (yet): `reason` names the file, line and error; `keptObjects` the count served.
    void heldBack(QString reason, bool waiting);

private:
    void onInotify();
    void onQuiet();
    void onSettleCheck();
    void addWatches();
    QByteArray readAll() const;

    QStringList m_paths;
    Loader m_load;
    model::Workspace m_serving;
    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    std::map<int, QString> m_watchDirs;  // inotify watch descriptor -> folder
    std::set<QString> m_watchedNames;    // absolute paths of the files given (empty for a folder: all yaml/json)
    std::set<QString> m_openWriters;     // files modified and not closed yet
    qint64 m_firstOpenWriterMs = 0;
    QTimer m_quiet;
    QTimer m_settle;
    QByteArray m_candidate;     // content read at the first look
    QByteArray m_appliedContent;  // content of what is being served
    QByteArray m_heldContent;     // content last reported as held back (reported once)
    qint64 m_lossSince = 0;       // when the current object-losing content was first seen
    int m_quietMs = QUIET_MS;
    int m_settleMs = SETTLE_MS;
    int m_lossSettleMs = LOSS_SETTLE_MS;
};

}  // namespace ilab::controller
