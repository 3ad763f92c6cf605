#pragma once

#include <QString>

#include "core/common/result.h"
#include "ui/recovery.h"

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

// Crash recovery (RecoveryStore) lives in ui/recovery.h.

}  // namespace ilab::ui
