#include "ui/document/file_io.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>

namespace ilab::ui {

namespace {
Result<QString, FileError> readOne(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return Result<QString, FileError>::fail(FileError::Unreadable, f.errorString().toStdString());
    if (f.size() > MAX_FILE_BYTES) return Result<QString, FileError>::fail(FileError::TooLarge, "file larger than 16 MiB");
    return QString::fromUtf8(f.readAll());
}
}  // namespace

Result<QString, FileError> readWorkspaceText(const QString& path) {
    QFileInfo info(path);
    if (!info.isDir()) return readOne(path);
    QStringList files;
    QDirIterator it(path, {QStringLiteral("*.yaml"), QStringLiteral("*.yml")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) files << it.next();
    files.sort();
    QString out;
    qint64 total = 0;
    for (const QString& f : files) {
        auto text = readOne(f);
        if (!text) return text;
        total += text->size();
        if (total > MAX_FILE_BYTES) return Result<QString, FileError>::fail(FileError::TooLarge, "folder larger than 16 MiB");
        if (!out.isEmpty()) {
            if (!out.endsWith(QLatin1Char('\n'))) out += QLatin1Char('\n');
            out += QStringLiteral("---\n");
        }
        out += QStringLiteral("# file: %1\n").arg(QDir(path).relativeFilePath(f));
        out += *text;
    }
    return out;
}

bool containsPrivateKey(const QString& text) {
    static const QRegularExpression keyField(QStringLiteral("^\\s*tls\\.key\\s*:"), QRegularExpression::MultilineOption);
    return text.contains(QLatin1String("PRIVATE KEY-----")) || keyField.match(text).hasMatch();
}

Result<bool, FileError> saveAtomically(const QString& path, const QString& text) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return Result<bool, FileError>::fail(FileError::WriteFailed, f.errorString().toStdString());
    if (containsPrivateKey(text)) f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const QByteArray bytes = text.toUtf8();
    if (f.write(bytes) != bytes.size()) {
        f.cancelWriting();
        return Result<bool, FileError>::fail(FileError::WriteFailed, f.errorString().toStdString());
    }
    if (!f.commit()) return Result<bool, FileError>::fail(FileError::WriteFailed, f.errorString().toStdString());
    // QSaveFile keeps the mode of an existing file: enforce 0600 when keys are inside
    if (containsPrivateKey(text)) QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

RecoveryStore::RecoveryStore(QString dir) : m_dir(std::move(dir)) {}

bool RecoveryStore::write(const QString& text, const QString& originalPath) const {
    QDir().mkpath(m_dir);
    QSaveFile f(m_dir + QStringLiteral("/recovery.yaml"));
    if (!f.open(QIODevice::WriteOnly)) return false;
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    f.write(text.toUtf8());
    if (!f.commit()) return false;
    QFile::setPermissions(m_dir + QStringLiteral("/recovery.yaml"), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QSaveFile p(m_dir + QStringLiteral("/recovery.path"));
    if (!p.open(QIODevice::WriteOnly)) return false;
    p.write(originalPath.toUtf8());
    return p.commit();
}

bool RecoveryStore::hasRecovery() const { return QFileInfo::exists(m_dir + QStringLiteral("/recovery.yaml")); }

QString RecoveryStore::recoveredText() const {
    QFile f(m_dir + QStringLiteral("/recovery.yaml"));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

QString RecoveryStore::recoveredPath() const {
    QFile f(m_dir + QStringLiteral("/recovery.path"));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

void RecoveryStore::clear() const {
    QFile::remove(m_dir + QStringLiteral("/recovery.yaml"));
    QFile::remove(m_dir + QStringLiteral("/recovery.path"));
}

}  // namespace ilab::ui
