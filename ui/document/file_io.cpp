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

}  // namespace ilab::ui
