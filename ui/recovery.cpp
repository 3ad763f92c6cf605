#include "ui/recovery.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QRandomGenerator>
#include <QSaveFile>

#include <algorithm>

#include "ui/document/workspace_document.h"

namespace ilab::ui {

namespace {
bool writeFile(const QString& path, const QByteArray& bytes, bool privateMode) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return false;
    if (privateMode) f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (f.write(bytes) != bytes.size()) {
        f.cancelWriting();
        return false;
    }
    if (!f.commit()) return false;
    if (privateMode) QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

QString readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

std::unique_ptr<QLockFile> makeLock(const QString& path) {
    auto lock = std::make_unique<QLockFile>(path);
    // Only a dead owner makes a lock stale, never its age: a session may run for days.
    lock->setStaleLockTime(0);
    return lock;
}
}  // namespace

RecoveryStore::RecoveryStore(QString dir)
    : m_dir(std::move(dir)),
      m_id(QStringLiteral("session-%1-%2").arg(QCoreApplication::applicationPid()).arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'))) {}

RecoveryStore::~RecoveryStore() = default;  // QLockFile's destructor unlocks

QString RecoveryStore::sessionFile() const { return m_dir + QLatin1Char('/') + m_id + QStringLiteral(".yaml"); }

bool RecoveryStore::lockSession() {
    if (m_lock && m_lock->isLocked()) return true;
    QDir().mkpath(m_dir);
    m_lock = makeLock(m_dir + QLatin1Char('/') + m_id + QStringLiteral(".lock"));
    return m_lock->tryLock(0);
}

bool RecoveryStore::write(const QString& text, const QString& originalPath) {
    if (!lockSession()) return false;
    // the path first: a text is never without its origin
    const QString base = m_dir + QLatin1Char('/') + m_id;
    return writeFile(base + QStringLiteral(".path"), originalPath.toUtf8(), false) && writeFile(base + QStringLiteral(".yaml"), text.toUtf8(), true);
}

void RecoveryStore::clear() {
    const QString base = m_dir + QLatin1Char('/') + m_id;
    QFile::remove(base + QStringLiteral(".yaml"));
    QFile::remove(base + QStringLiteral(".path"));
    m_lock.reset();
}

QList<RecoveryEntry> RecoveryStore::orphans() {
    QList<RecoveryEntry> out;
    const QDir d(m_dir);
    for (const QFileInfo& fi : d.entryInfoList({QStringLiteral("*.yaml")}, QDir::Files)) {
        const QString id = fi.completeBaseName();
        if (id == m_id) continue;
        if (!m_claimed.count(id)) {
            auto lock = makeLock(d.filePath(id + QStringLiteral(".lock")));
            if (!lock->tryLock(0)) continue;  // its session is still running
            m_claimed.emplace(id, std::move(lock));
        }
        out.push_back({id, readFile(fi.filePath()), readFile(d.filePath(id + QStringLiteral(".path"))), fi.lastModified()});
    }
    std::sort(out.begin(), out.end(), [](const RecoveryEntry& a, const RecoveryEntry& b) { return a.savedAt > b.savedAt; });
    return out;
}

void RecoveryStore::discard(const QString& id) {
    const QDir d(m_dir);
    QFile::remove(d.filePath(id + QStringLiteral(".yaml")));
    QFile::remove(d.filePath(id + QStringLiteral(".path")));
    m_claimed.erase(id);  // unlocks and removes the lock file
}

void RecoveryStore::release(const QString& id) { m_claimed.erase(id); }

QString RecoveryStore::recoveredText() {
    const auto all = orphans();
    return all.isEmpty() ? QString() : all.front().text;
}

QString RecoveryStore::recoveredPath() {
    const auto all = orphans();
    return all.isEmpty() ? QString() : all.front().originalPath;
}

RecoveryAutosave::RecoveryAutosave(WorkspaceDocument* doc, RecoveryStore* store, QObject* parent)
    : QObject(parent), m_doc(doc), m_store(store) {
    m_timer.setSingleShot(true);
    m_timer.setInterval(DEBOUNCE_MS);
    connect(&m_timer, &QTimer::timeout, this, &RecoveryAutosave::flush);
    connect(doc, &WorkspaceDocument::textChanged, this, &RecoveryAutosave::onChanged);
    connect(doc, &WorkspaceDocument::modificationChanged, this, [this](bool modified) {
        if (!modified) flush();  // saved or undone to clean: nothing to recover
    });
}

void RecoveryAutosave::onChanged() {
    if (!m_timer.isActive()) m_burst.start();
    // restart the debounce unless the burst has waited long enough; then let the running timer fire
    if (!m_timer.isActive() || m_burst.elapsed() + DEBOUNCE_MS <= MAX_DELAY_MS) m_timer.start();
}

void RecoveryAutosave::flush() {
    m_timer.stop();
    if (m_doc->isModified()) m_store->write(m_doc->text(), m_doc->filePath());
    else m_store->clear();
}

}  // namespace ilab::ui
