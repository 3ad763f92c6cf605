#pragma once

#include <QByteArray>
#include <QFileSystemWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

namespace ilab::ui {

// Notices when another program changes the open workspace file. Watches the file and its folder: editors and
// tools that save atomically write a new file and rename it over the old one, which ends the watch on the old
// inode, so the folder's change re-arms it. A change counts only when the content differs from the last content
// this window loaded or saved (its own saves and touch-only writes are not changes). Events settle for
// SETTLE_MS, since one save is several file system events. GUI thread; owned by the MainWindow.
class FileWatcher : public QObject {
    Q_OBJECT
public:
    static constexpr int SETTLE_MS = 200;
    explicit FileWatcher(QObject* parent = nullptr);
    // Starts watching `path` ("" stops), taking its current content as known.
    void watch(const QString& path);
    QString path() const { return m_path; }

Q_SIGNALS:
    void changedOnDisk(const QString& path);

private:
    void check();
    QFileSystemWatcher m_fs;
    QString m_path;
    QByteArray m_known;  // content hash as last loaded/saved/seen
    QTimer m_settle;
};

}  // namespace ilab::ui
