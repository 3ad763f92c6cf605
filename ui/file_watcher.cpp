#include "ui/file_watcher.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>

namespace ilab::ui {

namespace {
QByteArray hashOf(const QString& path, bool* exists) {
    QFile f(path);
    *exists = f.open(QIODevice::ReadOnly);
    return *exists ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256) : QByteArray();
}
}  // namespace

FileWatcher::FileWatcher(QObject* parent) : QObject(parent) {
    m_settle.setSingleShot(true);
    m_settle.setInterval(SETTLE_MS);
    connect(&m_settle, &QTimer::timeout, this, &FileWatcher::check);
    connect(&m_fs, &QFileSystemWatcher::fileChanged, this, [this] { m_settle.start(); });
    connect(&m_fs, &QFileSystemWatcher::directoryChanged, this, [this] { m_settle.start(); });
}

void FileWatcher::watch(const QString& path) {
    if (!m_fs.files().isEmpty()) m_fs.removePaths(m_fs.files());
    if (!m_fs.directories().isEmpty()) m_fs.removePaths(m_fs.directories());
    m_settle.stop();
    m_path = path;
    if (path.isEmpty() || path.startsWith(QLatin1String(":/")) || QFileInfo(path).isDir()) {
        m_path.clear();
        return;
    }
    bool exists = false;
    m_known = hashOf(path, &exists);
    m_fs.addPath(QFileInfo(path).absolutePath());
    if (exists) m_fs.addPath(path);
}

void FileWatcher::check() {
    if (m_path.isEmpty()) return;
    bool exists = false;
    const QByteArray now = hashOf(m_path, &exists);
    if (!exists) return;  // removed, or between the two steps of a rename: the folder event comes back
    if (!m_fs.files().contains(m_path)) m_fs.addPath(m_path);  // replaced by a rename: watch the new file
    if (now == m_known) return;
    m_known = now;
    emit changedOnDisk(m_path);
}

}  // namespace ilab::ui
