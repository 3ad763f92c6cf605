// `--version` of both binaries (issue 16): the project version and git revision from the CMake-generated header,
// then the versions of Qt, OpenSSL and libcurl the process RUNS with (runtime queries, so they must equal what this
// test process, linked against the same shared libraries, gets from the same queries) and yaml-cpp's package
// version. The GUI answers before it creates its QApplication, so it needs no display.
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include "support/test_paths.h"

namespace {

struct Run {
    int exitCode = -1;
    QStringList lines;
    QByteArray err;
};

Run runVersion(const QString& program, const QStringList& args) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));  // no X server, no Wayland and no offscreen platform: none is needed
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    p.setProcessEnvironment(env);
    p.start(program, args);
    Run r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.lines = QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    r.err = p.readAllStandardError();
    return r;
}

// Checks the five lines of the version text.
void checkVersionText(const QString& program, const QStringList& lines) {
    QCOMPARE(lines.size(), 5);
    const QRegularExpression first(QStringLiteral("^%1 %2 \\(git ([0-9A-Za-z._+-]+)\\)$")
                                       .arg(QRegularExpression::escape(program),
                                            QRegularExpression::escape(QStringLiteral(ILAB_EXPECTED_VERSION))));
    QVERIFY2(first.match(lines[0]).hasMatch(), qPrintable(lines[0]));
    QCOMPARE(lines[1], QStringLiteral("Qt %1 (built with %2)").arg(QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR)));
    QCOMPARE(lines[2], QString::fromUtf8(OpenSSL_version(OPENSSL_VERSION)));
    const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
    QVERIFY2(lines[3].startsWith(QStringLiteral("libcurl %1 (").arg(QString::fromLatin1(curl->version))), qPrintable(lines[3]));
    QVERIFY2(lines[3].contains(QString::fromLatin1(curl->ssl_version)), qPrintable(lines[3]));
    const QRegularExpression yaml(QStringLiteral("^yaml-cpp \\d+\\.\\d+(\\.\\d+)? \\(compile-time package version\\)$"));
    QVERIFY2(yaml.match(lines[4]).hasMatch(), qPrintable(lines[4]));
}

}  // namespace

class VersionTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cliPrintsVersionRevisionAndRuntimeLibraries() {
        const Run r = runVersion(ilab::testing::cliPath(), {QStringLiteral("--version")});
        QCOMPARE(r.exitCode, 0);
        checkVersionText(QStringLiteral("ingress-lab-cli"), r.lines);
    }

    void guiPrintsTheSameTextWithoutADisplay() {
#ifndef ILAB_GUI_PATH
        QSKIP("built without the GUI (ILAB_BUILD_GUI=OFF)");
#else
        const Run gui = runVersion(QStringLiteral(ILAB_GUI_PATH), {QStringLiteral("--version")});
        QVERIFY2(gui.exitCode == 0, gui.err.constData());
        checkVersionText(QStringLiteral("ingress-lab"), gui.lines);
        if (QTest::currentTestFailed()) return;
        const Run cli = runVersion(ilab::testing::cliPath(), {QStringLiteral("--version")});
        // Same revision and libraries: one source for both binaries.
        QCOMPARE(gui.lines[0].section(QLatin1Char(' '), 1), cli.lines.value(0).section(QLatin1Char(' '), 1));
        QCOMPARE(gui.lines.mid(1), cli.lines.mid(1));
        const Run shortOption = runVersion(QStringLiteral(ILAB_GUI_PATH), {QStringLiteral("-v")});
        QCOMPARE(shortOption.lines, gui.lines);
#endif
    }
};

QTEST_GUILESS_MAIN(VersionTest)
#include "version_test.moc"
