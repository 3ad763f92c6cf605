#pragma once

#include <QDateTime>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <map>
#include <memory>

class QLockFile;

namespace ilab::ui {

class WorkspaceDocument;

// One unsaved text another (crashed or killed) session left behind.
struct RecoveryEntry {
    QString id;            // file stem in the recovery folder
    QString text;          // the unsaved workspace text, byte for byte
    QString originalPath;  // the file it was edited from ("" = untitled)
    QDateTime savedAt;
};

// Crash recovery files in one folder (default: AppDataLocation/recovery). Each running window is a session with
// its own `<id>.yaml` (0600: it may hold keys), `<id>.path` (the original file) and a QLockFile `<id>.lock` held
// while it runs. A text whose lock is not held by a live process (the process crashed or was killed) is an
// orphan, offered at the next start; two windows running at once never see each other's text, and "keep for
// later" leaves an orphan where it is for the start after. Writes are atomic (QSaveFile). A clean close or a
// save removes the session's files. Files from older versions (recovery.yaml with no lock) are orphans too.
// GUI thread; owned by the MainWindow.
class RecoveryStore {
public:
    explicit RecoveryStore(QString dir);
    ~RecoveryStore();  // releases the session lock; the files stay (a destroyed window did not close cleanly)
    RecoveryStore(const RecoveryStore&) = delete;
    RecoveryStore& operator=(const RecoveryStore&) = delete;

    // This session's text.
    bool write(const QString& text, const QString& originalPath);
    void clear();  // removes this session's files
    QString sessionFile() const;
    QString dir() const { return m_dir; }

    // Orphans of other sessions, newest first. Listing claims them (takes their locks), so two new windows
    // never restore the same text.
    QList<RecoveryEntry> orphans();
    void discard(const QString& id);  // deletes an orphan
    void release(const QString& id);  // keep for later: unlock, files stay

    // The newest orphan (the API the window used before sessions existed).
    bool hasRecovery() { return !orphans().isEmpty(); }
    QString recoveredText();
    QString recoveredPath();

private:
    bool lockSession();
    QString m_dir;
    QString m_id;
    std::unique_ptr<QLockFile> m_lock;
    std::map<QString, std::unique_ptr<QLockFile>> m_claimed;  // orphan id -> its lock, held by this session
};

// Debounced autosave of a document's unsaved text into a RecoveryStore: written DEBOUNCE_MS after the last
// change, but at most MAX_DELAY_MS after the first unsaved change of a burst (steady typing is not at risk for
// longer than that). An unmodified document (saved, or undone back to clean) has no recovery file.
// GUI thread; owned by the MainWindow.
class RecoveryAutosave : public QObject {
    Q_OBJECT
public:
    static constexpr int DEBOUNCE_MS = 2000;
    static constexpr int MAX_DELAY_MS = 10000;
    RecoveryAutosave(WorkspaceDocument* doc, RecoveryStore* store, QObject* parent = nullptr);
    void flush();  // write (or clear) now
    bool isPending() const { return m_timer.isActive(); }

private:
    void onChanged();
    WorkspaceDocument* m_doc;
    RecoveryStore* m_store;
    QTimer m_timer;
    QElapsedTimer m_burst;
};

}  // namespace ilab::ui
