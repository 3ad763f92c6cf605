#include "support/test_paths.h"

#include <QDir>

namespace ilab::testing {

QString sourceDir() { return QStringLiteral(ILAB_SOURCE_DIR); }
QString sharedDir() { return QDir::cleanPath(QStringLiteral(ILAB_SHARED_DIR)); }
QString cliPath() { return QStringLiteral(ILAB_CLI_PATH); }
QString fixture(const QString& relative) { return sourceDir() + QStringLiteral("/tests/fixtures/") + relative; }

}  // namespace ilab::testing
