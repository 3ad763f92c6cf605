#pragma once

#include <QString>

#include "core/common/result.h"

namespace ilab::ui {

enum class FileError { Unreadable, TooLarge, WriteFailed };

// Reads a workspace file as text, or a folder as one multi-document text (each file's documents after a
// "# file: <relative path>" comment). Files above MAX_FILE_BYTES are refused (a workspace is kilobytes).
Result<QString, FileError> readWorkspaceText(const QString& path);
inline constexpr qint64 MAX_FILE_BYTES = 16 * 1024 * 1024;

// Whether the text holds a private key (a TLS Secret's tls.key, or a PEM key block).
bool containsPrivateKey(const QString& text);

// Atomic save: written to a temporary file in the same folder, flushed, then renamed over `path` (QSaveFile),
// so a crash never leaves a half-written workspace. Files holding private keys get mode 0600.
Result<bool, FileError> saveAtomically(const QString& path, const QString& text);

// Crash recovery: the unsaved text is written every few seconds to `<dir>/recovery.yaml` (0600: it may
// hold keys) with the original path in `<dir>/recovery.path`; a clean exit or a save removes them.
// Owned by the MainWindow; GUI thread (the writes are small and atomic).
class RecoveryStore {
public:
    explicit RecoveryStore(QString dir);
    bool write(const QString& text, const QString& originalPath) const;
    bool hasRecovery() const;
    QString recoveredText() const;
    QString recoveredPath() const;
    void clear() const;
    QString dir() const { return m_dir; }

private:
    QString m_dir;
};

}  // namespace ilab::ui
